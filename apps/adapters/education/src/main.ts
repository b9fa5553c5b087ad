import { serveAdapter } from '@mash/adapter-kit';
import { runMain } from '@mash/platform';
import { toContact } from './translate';

runMain('adapter-education', () => serveAdapter({ agency: 'education', translate: toContact, notices: 'topic' }));
