import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The monitoring shipped in infra/: Prometheus alert rules checked and unit-tested by promtool
 * (Debian's `prometheus` package; .ci/run installs it), and the Grafana dashboard and the rules
 * naming only metrics the services really export.
 */
const root = join(__dirname, '..', '..');
const rules = join(root, 'infra', 'prometheus');
const promtool = spawnSync('promtool', ['--version']).status === 0;

/** Every metric name registered in the code (prom-client `name: 'mash_...'`). */
function exportedMetrics(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string) => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      if (f === 'node_modules' || f === 'dist') continue;
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.spec.ts'))
        for (const m of readFileSync(p, 'utf8').matchAll(/['"](mash_[a-z_]+)['"]/g)) names.add(m[1]);
    }
  };
  walk(join(root, 'apps'));
  walk(join(root, 'libs'));
  return names;
}

/** Metric names an expression reads (histogram series map to their histogram). */
const metricsIn = (expr: string) => [...expr.matchAll(/\b(mash_[a-z_]+)/g)].map((m) => m[1].replace(/_(bucket|sum|count)$/, ''));

(promtool ? describe : describe.skip)('alert rules (promtool)', () => {
  it('pass promtool check rules', () => {
    const r = spawnSync('promtool', ['check', 'rules', join(rules, 'alerts.yml')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.status).toBe(0);
  });

  it('fire and stay quiet as alerts.test.yml says', () => {
    const r = spawnSync('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: rules, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });
});
if (!promtool) process.stdout.write('promtool not found (apt-get install prometheus): the alert rule checks were skipped\n');

describe('dashboard and rules name real metrics', () => {
  const exported = exportedMetrics();

  it('the code exports the metrics the ops view is built on', () => {
    for (const m of [
      'mash_consumer_group_status',
      'mash_cases_past_deadline',
      'mash_messages_dead_lettered_total',
      'mash_notice_delivery_attempts_total',
    ]) {
      expect(exported).toContain(m);
    }
  });

  it('every dashboard panel queries only exported metrics, with the datasource variable', () => {
    const dash = JSON.parse(readFileSync(join(root, 'infra', 'grafana', 'mash-hub.json'), 'utf8'));
    expect(dash.uid).toBe('mash-hub-ops');
    expect(dash.panels.length).toBeGreaterThanOrEqual(10);
    const ids = new Set<number>();
    for (const p of dash.panels) {
      expect(ids.has(p.id)).toBe(false);
      ids.add(p.id);
      expect(p.datasource).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(p.gridPos.w).toBeGreaterThan(0);
      expect(p.targets.length).toBeGreaterThan(0);
      for (const t of p.targets) {
        const used = metricsIn(t.expr);
        expect(used.length).toBeGreaterThan(0);
        for (const m of used)
          expect({ panel: p.title, metric: m, exported: exported.has(m) }).toEqual({ panel: p.title, metric: m, exported: true });
      }
    }
  });

  it('every alert rule reads only exported metrics (or up)', () => {
    const text = readFileSync(join(rules, 'alerts.yml'), 'utf8');
    const exprs = [...text.matchAll(/expr: (.+(?:\n {10}.+)*)/g)].map((m) => m[1]);
    expect(exprs.length).toBeGreaterThanOrEqual(10);
    for (const e of exprs)
      for (const m of metricsIn(e)) expect({ metric: m, exported: exported.has(m) }).toEqual({ metric: m, exported: true });
  });
});
