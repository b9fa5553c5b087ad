import { runMain, serveAdapter } from '@mash/adapter-kit';
import { toContact } from './translate';

runMain('adapter-police', () => serveAdapter({ agency: 'police', translate: toContact, notices: 'topic' }));
