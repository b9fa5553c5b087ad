import { defineConnector, fixtureLookup, parseFixtures } from '@mash/connector-kit';
import fixtures from './fixtures.json';

/**
 * Reference youth-justice connector: answers checks from fixture records so the demo and the end-to-end
 * tests meet realistic youth-justice records. An agency copying it replaces `lookup` with a search of its
 * own systems; the fire-wall (`answer`) stays as it is.
 */
export const connector = defineConnector({ agency: 'youth-justice', lookup: fixtureLookup(parseFixtures(fixtures, 'youth-justice')) });
