#!/usr/bin/env node
// Runs a compiled entry point from dist/ with the @mash/* aliases resolved to dist/libs/...
// Usage: node scripts/launch.js apps/gateway/src/main
const path = require('node:path');
const tsconfigPaths = require('tsconfig-paths');
const { compilerOptions } = require('../tsconfig.json');

const dist = path.join(__dirname, '..', 'dist');
tsconfigPaths.register({ baseUrl: dist, paths: compilerOptions.paths });

const entry = process.argv[2];
if (!entry) {
  process.stderr.write('usage: node scripts/launch.js <entry without .js, relative to the repo root>\n');
  process.exit(2);
}
process.argv.splice(2, 1);
require(path.join(dist, entry));
