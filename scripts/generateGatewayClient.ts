import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@mash/policy';
import { buildOpenApi } from '../apps/gateway/src/openapi/openapi';
import { generateClientTypes } from '../apps/gateway/src/openapi/clientTypes';

/**
 * Regenerates test/contract/gatewayApi.ts from the OpenAPI document (npm run generate:client);
 * with --stdout, prints what it would write (the typed-client test compares it with the file).
 */
async function main() {
  const types = await generateClientTypes(buildOpenApi());
  if (process.argv.includes('--stdout')) {
    process.stdout.write(types);
    return;
  }
  const file = join(repoRoot(), 'test', 'contract', 'gatewayApi.ts');
  writeFileSync(file, types);
  process.stdout.write(`wrote ${file}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
