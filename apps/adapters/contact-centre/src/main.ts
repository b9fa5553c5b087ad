import { serveAdapter } from '@mash/adapter-kit';
import { runMain } from '@mash/platform';
import { toContact } from './translate';

runMain('adapter-contact-centre', () => serveAdapter({ agency: 'contact-centre', translate: toContact, notices: 'topic' }));
