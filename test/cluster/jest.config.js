/**
 * `npm run test:cluster`: the end-to-end tests that matter most for a broker cluster, against the
 * local three-broker cluster (test/cluster/run.sh starts it and sets KAFKA_BROKERS). The
 * *.cluster-spec.ts files kill brokers, so they never run in plain `npm test`.
 * MASH_CLUSTER_SET=short (what .ci/run uses) keeps only the broker kill and the walking skeleton.
 */
const { join } = require('node:path');
const base = require('../../jest.config.js');

const short = process.env.MASH_CLUSTER_SET === 'short';
module.exports = {
  ...base,
  rootDir: join(__dirname, '..', '..'),
  testMatch: [
    '<rootDir>/test/cluster/**/*.cluster-spec.ts',
    '<rootDir>/test/e2e/walkingSkeleton.spec.ts',
    ...(short ? [] : ['<rootDir>/test/e2e/checks[A-Z]*.spec.ts', '<rootDir>/test/e2e/notifier[A-Z]*.spec.ts']),
  ],
};
