/**
 * A probe for a benchmark run, loaded into every process it starts:
 *   NODE_OPTIONS="-r ./bench/probes/statementTexts.js" npm run bench:e2e -- ...
 * Counts the statements each process sends to Postgres by their text (whitespace folded, the first
 * 220 characters), and writes them, most sent first, to $MASH_PROBE_DIR (default
 * <tmp>/mash-probes)/statements-<service>-<pid>.json every 5 s and at exit. bench:e2e prints how
 * many statements a contact costs; this says which ones. Not for production: it patches pg.
 */
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { tmpdir } = require('node:os');

const dir = process.env.MASH_PROBE_DIR || join(tmpdir(), 'mash-probes');
const counts = new Map();

try {
  const pg = require(require.resolve('pg', { paths: [process.cwd()] }));
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (config, ...rest) {
    const text = typeof config === 'string' ? config : config && config.text;
    if (text) {
      const key = text.replace(/\s+/g, ' ').slice(0, 220);
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    return query.call(this, config, ...rest);
  };
} catch {
  // A process without pg (a connector) sends no statements.
}

const write = () => {
  try {
    mkdirSync(dir, { recursive: true });
    const sorted = [...counts].sort((a, b) => b[1] - a[1]);
    writeFileSync(join(dir, `statements-${process.env.MASH_SERVICE || 'process'}-${process.pid}.json`), JSON.stringify(sorted, null, 1));
  } catch {
    // A probe never stops the process it watches.
  }
};
process.on('exit', write);
setInterval(write, 5000).unref();
