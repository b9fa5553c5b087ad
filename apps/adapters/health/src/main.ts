import { serveAdapter } from '@mash/adapter-kit';
import { runMain } from '@mash/platform';
import { toContact } from './translate';

runMain('adapter-health', () => serveAdapter({ agency: 'health', translate: toContact, notices: 'webhook' }));
