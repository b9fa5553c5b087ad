/**
 * A probe for a benchmark run, loaded into every process it starts:
 *   NODE_OPTIONS="-r ./bench/probes/poolWait.js" npm run bench:e2e -- ...
 * Times each wait for a Postgres connection (pg's Pool.connect, every pool of the process) and
 * writes the totals to $MASH_PROBE_DIR (default <tmp>/mash-probes)/pool-wait-<service>-<pid>.json
 * every 2 s and at exit: how many waits, their sum, how many over 5, 20 and 100 ms, the longest,
 * and the most callers seen queued. What docs/architecture.md "The pipeline's own connections"
 * quotes was measured with it. Not for production: it patches pg.
 */
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { tmpdir } = require('node:os');

const dir = process.env.MASH_PROBE_DIR || join(tmpdir(), 'mash-probes');
const totals = { waits: 0, totalMs: 0, over5ms: 0, over20ms: 0, over100ms: 0, longestMs: 0, mostQueued: 0 };

try {
  const pg = require(require.resolve('pg', { paths: [process.cwd()] }));
  const connect = pg.Pool.prototype.connect;
  pg.Pool.prototype.connect = function (callback) {
    const started = process.hrtime.bigint();
    totals.mostQueued = Math.max(totals.mostQueued, this.waitingCount || 0);
    const waited = () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      totals.waits++;
      totals.totalMs += ms;
      totals.longestMs = Math.max(totals.longestMs, ms);
      if (ms > 5) totals.over5ms++;
      if (ms > 20) totals.over20ms++;
      if (ms > 100) totals.over100ms++;
    };
    if (callback)
      return connect.call(this, (err, client, release) => {
        waited();
        callback(err, client, release);
      });
    return connect.call(this).then((client) => {
      waited();
      return client;
    });
  };
} catch {
  // A process without pg (a connector) has nothing to time.
}

const write = () => {
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `pool-wait-${process.env.MASH_SERVICE || 'process'}-${process.pid}.json`), JSON.stringify(totals));
  } catch {
    // A probe never stops the process it watches.
  }
};
process.on('exit', write);
setInterval(write, 2000).unref();
