// One file-naming convention (docs/architecture.md, "File names"): a camelCase name for what the
// module holds, then any lowercase role suffixes (Nest's `.module`, `.service`, `.controller`,
// `.repository`, and `.spec`, `.db.spec`, `.cluster-spec`, `.faults`, `.fixtures`, ...). A migration
// keeps TypeORM's pattern: its 13-digit timestamp, then kebab-case words.
const path = require('node:path');

const MODULE_NAME = /^[a-z][a-zA-Z0-9]*(\.([a-z][a-z0-9]*|cluster-spec))*\.(ts|js|mjs|cjs)$/;
const MIGRATION_NAME = /^\d{13}-[a-z0-9]+(-[a-z0-9]+)*\.ts$/;

/** Whether a file's name keeps the convention; `file` is a path (its folders say if it is a migration). */
function followsConvention(file) {
  const name = path.basename(file);
  const inMigrations = file.split(/[\\/]/).includes('migrations');
  return inMigrations ? MIGRATION_NAME.test(name) : MODULE_NAME.test(name);
}

const fileNames = {
  meta: {
    type: 'suggestion',
    schema: [],
    messages: {
      name: 'File name \'{{name}}\' breaks the convention: camelCase, then lowercase role suffixes (checkPlan.ts, cases.repository.ts, gatewayAccess.spec.ts); migrations 1700000000000-kebab-words.ts (docs/architecture.md, "File names").',
    },
  },
  create: (context) => ({
    Program(node) {
      const file = context.filename;
      if (!followsConvention(file)) context.report({ node, messageId: 'name', data: { name: path.basename(file) } });
    },
  }),
};

module.exports = { fileNames, followsConvention };
