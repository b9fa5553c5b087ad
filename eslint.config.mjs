// One style for the whole repository (docs/architecture.md, "Code conventions"): typescript-eslint's
// recommended rules, plus the few that keep the hub's own rules mechanical. `npm run lint` and
// `npm test` run it with zero warnings allowed.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import fileNameRules from './eslint/fileNames.cjs';

// SQL lives in repositories and migrations (docs/architecture.md, "Where SQL lives"): a `.query(`
// call anywhere else in the hub's own TypeScript is an error. Specs and test fixtures are exempt.
const sqlLivesInRepositories = {
  meta: {
    type: 'problem',
    schema: [],
    messages: {
      query:
        'SQL lives in repositories and migrations: move this `.query(` into a *.repository.ts (docs/architecture.md, "Where SQL lives").',
    },
  },
  create: (context) => ({
    'CallExpression > MemberExpression.callee[computed=false] > Identifier.property[name="query"]'(node) {
      context.report({ node: node.parent.parent, messageId: 'query' });
    },
  }),
};

// The hub's own rules, one plugin.
const mash = { rules: { 'sql-lives-in-repositories': sqlLivesInRepositories, 'file-names': fileNameRules.fileNames } };

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**', '.cache/**', '.run/**', 'test/contract/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      // Unused names are mistakes, except a leading underscore that says "deliberately ignored".
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Nest's DI and decorators need classes with only a constructor, and declaration merging.
      '@typescript-eslint/no-extraneous-class': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'off',
    },
  },
  {
    files: ['apps/**/*.ts', 'libs/**/*.ts', 'scripts/**/*.ts'],
    ignores: [
      '**/*.spec.ts',
      '**/*.cluster-spec.ts',
      '**/*.faults.ts',
      '**/*.fixtures.ts',
      '**/*.repository.ts',
      '**/*Repository.ts',
      '**/repositories/**',
      '**/migrations/**',
      '**/*.migration.ts',
    ],
    plugins: { mash },
    rules: { 'mash/sql-lives-in-repositories': 'error' },
  },
  {
    // One file-naming convention (docs/architecture.md, "File names"), checked on every module.
    files: [
      'apps/**/*.{ts,js}',
      'libs/**/*.{ts,js}',
      'scripts/**/*.{ts,js,cjs}',
      'test/**/*.{ts,js,cjs}',
      'bench/**/*.{ts,js}',
      'eslint/**/*.cjs',
    ],
    ignores: ['test/contract/generated/**'],
    plugins: { mash },
    rules: { 'mash/file-names': 'error' },
  },
  {
    // Tests read untyped JSON (HTTP bodies, manifests, generated documents) and poke at it.
    files: ['**/*.spec.ts', '**/*.cluster-spec.ts', '**/*.faults.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: Object.fromEntries(
        [
          'require',
          'module',
          'process',
          '__dirname',
          'console',
          'Buffer',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'URL',
        ].map((g) => [g, 'readonly']),
      ),
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
