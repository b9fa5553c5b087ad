import { join } from 'node:path';
import { Linter } from 'eslint';

// The rule the lint run applies (eslint.config.mjs): a CommonJS module so this spec and the ESM
// config load the same code.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { fileNames, followsConvention } = require('../../eslint/fileNames.cjs');

function messagesFor(file: string) {
  const linter = new Linter({ configType: 'flat' });
  const config = [
    {
      files: ['**/*.ts', '**/*.js'],
      plugins: { mash: { rules: { 'file-names': fileNames } } },
      rules: { 'mash/file-names': 'error' as const },
    },
  ];
  return linter.verify('export const x = 1;\n', config, { filename: join(process.cwd(), file) });
}

describe('file-name lint rule', () => {
  it('fails on a kebab-case, PascalCase or snake_case module name', () => {
    for (const bad of [
      'libs/policy/src/check-plan.ts',
      'apps/triage/src/CheckPlan.ts',
      'scripts/replay_deadletters.ts',
      'test/e2e/gateway-access.spec.ts',
    ]) {
      const messages = messagesFor(bad);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatchObject({ ruleId: 'mash/file-names', severity: 2 });
      expect(messages[0].message).toContain(bad.split('/').pop());
    }
  });

  it('passes camelCase names with Nest and test role suffixes, and timestamped kebab-case migrations', () => {
    for (const good of [
      'apps/checks/src/plan/checkPlan.ts',
      'apps/gateway/src/decisions/decisions.service.ts',
      'apps/triage/src/cases/cases.repository.db.spec.ts',
      'test/cluster/brokerKill.cluster-spec.ts',
      'test/e2e/gatewayAccess.spec.ts',
      'apps/gateway/src/migrations/1700000001600-hub-transfers.ts',
    ]) {
      expect(messagesFor(good)).toEqual([]);
    }
  });

  it('holds migrations to their own pattern', () => {
    expect(followsConvention('apps/gateway/src/migrations/hubTransfers.ts')).toBe(false);
    expect(followsConvention('apps/gateway/src/migrations/1700000001600-hub-transfers.ts')).toBe(true);
  });
});
