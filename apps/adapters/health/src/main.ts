import { runMain, serveAdapter } from '@mash/adapter-kit';
import { capabilityStatement } from './capabilityStatement';
import { ensureIndexed } from './fhirStructure';
import { operationOutcome } from './operationOutcome';
import { toContact } from './translate';

runMain('adapter-health', async () => {
  ensureIndexed();
  return serveAdapter({
    agency: 'health',
    translate: toContact,
    notices: 'webhook',
    refusal: operationOutcome,
    metadata: capabilityStatement,
  });
});
