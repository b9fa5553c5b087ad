import { serveConnector } from '@mash/connector-kit';
import { runMain } from '@mash/platform';
import { connector } from './connector';

runMain('connector-probation', () => serveConnector(connector));
