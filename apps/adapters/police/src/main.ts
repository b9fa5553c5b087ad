import { serveAdapter } from '@mash/adapter-kit';
import { runMain } from '@mash/platform';
import { toContact } from './translate';

runMain('adapter-police', () => serveAdapter({ agency: 'police', translate: toContact, notices: 'topic' }));
