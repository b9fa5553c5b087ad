/**
 * Where a process spent its CPU, from a .cpuprofile (bench/probes/cpuProfile.js writes them):
 *   node bench/probes/profileSummary.js <file.cpuprofile>...
 * For each file, the share of busy samples (idle left out) by package (a node_modules package, a
 * directory of ours under dist/, a Node module, or a native frame such as a socket write), the
 * functions with the most samples of their own, and for the three most costly native frames the
 * code of ours or a package's that called them.
 */
const { readFileSync } = require('node:fs');

function owner(url, name) {
  if (!url) return name.startsWith('(') ? name : `(native) ${name}`;
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1];
  const ours = url.match(/dist\/((?:apps|libs)\/[^/]+(?:\/[^/]+)?)/);
  if (ours) return ours[1];
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  return url.slice(-60);
}

const pct = (n, total) => `${((100 * n) / total).toFixed(1).padStart(5)}%`;
const top = (m, n) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);

for (const file of process.argv.slice(2)) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  for (const id of profile.samples) self.set(id, (self.get(id) ?? 0) + 1);
  const byOwner = new Map();
  const byFunction = new Map();
  const callersOf = new Map();
  let busy = 0;
  for (const [id, count] of self) {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    if (functionName === '(idle)') continue;
    busy += count;
    const o = owner(url, functionName);
    byOwner.set(o, (byOwner.get(o) ?? 0) + count);
    const f = `${functionName || '(anonymous)'} ${o}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(f, (byFunction.get(f) ?? 0) + count);
    if (!url && !functionName.startsWith('(')) {
      // The nearest frame of a package or of ours above a native one: who made the system call.
      let p = parent.get(id);
      while (p !== undefined && !/node_modules|dist\//.test(nodes.get(p).callFrame.url)) p = parent.get(p);
      const caller = p === undefined ? '(unknown)' : `${nodes.get(p).callFrame.functionName} ${owner(nodes.get(p).callFrame.url, '')}`;
      const m = callersOf.get(o) ?? new Map();
      m.set(caller, (m.get(caller) ?? 0) + count);
      callersOf.set(o, m);
    }
  }
  console.log(`== ${file}: ${busy} busy samples`);
  for (const [o, n] of top(byOwner, 15)) console.log(`${pct(n, busy)} ${o}`);
  console.log('  functions with the most samples of their own:');
  for (const [f, n] of top(byFunction, 12)) console.log(`${pct(n, busy)} ${f}`);
  for (const [o] of top(new Map([...byOwner].filter(([k]) => callersOf.has(k))), 3)) {
    console.log(`  ${o}, called from:`);
    for (const [c, n] of top(callersOf.get(o), 3)) console.log(`${pct(n, busy)} ${c}`);
  }
}
