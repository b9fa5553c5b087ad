import { runMain, serveConnector } from '@mash/connector-kit';
import { connector } from './connector';

runMain('connector-probation', () => serveConnector(connector));
