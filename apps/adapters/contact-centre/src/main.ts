import { runMain, serveAdapter } from '@mash/adapter-kit';
import { toContact } from './translate';

runMain('adapter-contact-centre', () => serveAdapter({ agency: 'contact-centre', translate: toContact, notices: 'topic' }));
