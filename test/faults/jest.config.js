/**
 * The fault suite runs on its own (`npm run test:faults`): it starts its own broker and Postgres,
 * so it needs none of the shared set-up, and it is far too long for `npm test`.
 */
const base = require('../../jest.config.js');

module.exports = {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/test/faults'],
  testMatch: ['**/*.faults.ts'],
  globalSetup: undefined,
  globalTeardown: undefined,
  testTimeout: 3600000,
  reporters: ['default', '<rootDir>/test/setup/summaryReporter.js'],
};
