import { runMain, serveAdapter } from '@mash/adapter-kit';
import { toContact } from './translate';

runMain('adapter-education', () => serveAdapter({ agency: 'education', translate: toContact, notices: 'topic' }));
