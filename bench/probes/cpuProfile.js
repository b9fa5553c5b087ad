/**
 * A probe for a benchmark run, loaded into every process it starts:
 *   NODE_OPTIONS="-r ./bench/probes/cpuProfile.js" npm run bench:e2e -- ...
 * Samples each process's CPU (V8's profiler, one sample a millisecond) from start to SIGTERM or
 * SIGINT (how a hub's processes are stopped) and then writes $MASH_PROBE_DIR (default
 * <tmp>/mash-probes)/cpu-<service>-<pid>.cpuprofile, which Chrome's DevTools open; then
 *   node bench/probes/profileSummary.js <files>
 * says where each process spent it, by package and by function. Node refuses --cpu-prof in
 * NODE_OPTIONS, hence the inspector. Not for production: profiling costs CPU of its own.
 */
const inspector = require('node:inspector');
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { tmpdir } = require('node:os');

const dir = process.env.MASH_PROBE_DIR || join(tmpdir(), 'mash-probes');
const session = new inspector.Session();
session.connect();
session.post('Profiler.enable', () =>
  session.post('Profiler.setSamplingInterval', { interval: 1000 }, () => session.post('Profiler.start')),
);

let written = false;
function write() {
  if (written) return;
  written = true;
  // The same-thread session answers synchronously, so the file is written before the process's own
  // SIGTERM handler (registered later, run after this one) exits.
  session.post('Profiler.stop', (err, result) => {
    if (err) return;
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `cpu-${process.env.MASH_SERVICE || 'main'}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
  });
}
process.prependListener('SIGTERM', write);
process.prependListener('SIGINT', write);
