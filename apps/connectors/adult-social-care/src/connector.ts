import { defineConnector, fixtureLookup, parseFixtures } from '@mash/connector-kit';
import fixtures from './fixtures.json';

/**
 * Reference adult-social-care connector: answers checks from fixture records so the demo and the end-to-end
 * tests meet realistic adult-social-care records. An agency copying it replaces `lookup` with a search of its
 * own systems; the fire-wall (`answer`) stays as it is.
 */
export const connector = defineConnector({
  agency: 'adult-social-care',
  lookup: fixtureLookup(parseFixtures(fixtures, 'adult-social-care')),
});
