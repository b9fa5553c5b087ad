/**
 * A month of a MASH in minutes (docs/simulation.md):
 *
 *   npm run simulate -- --days 30 --policy policies/london.json --mix blackburn --seed 7
 *                       [--compare policies/sandwell.json] [--start 2026-06-01T00:00:00Z]
 *                       [--silence 0.05] [--late 0.1] [--agencies police=silence:0.1/late:0.2,...]
 *                       [--quantum MINUTES] [--out .run/simulate/<stamp>]
 *
 * Starts the real hub (services, broker, database) on a virtual clock, drives the profile's
 * contacts with simulated agencies and decision makers, and prints the report by rating; writes
 * report.md and report.csv. With --compare the same contacts run through a second hub on the
 * second policy, and both reports are printed side by side.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentialsEnv, defaultPrincipalsFile, loadKafkaPrincipals } from '@mash/messaging';
import { repoRoot } from '@mash/policy';
import { parseAgencyBehaviour } from './actors';
import { simulate, SimulationResult } from './engine';
import { profileNamed } from './profiles';
import { csvRows, figures, markdownTable, textTable } from './report';

interface Args {
  days: number;
  policy: string;
  compare?: string;
  mix: string;
  seed: number;
  start: Date;
  silence: number;
  late: number;
  agencies?: string;
  out: string;
  quantum: number;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (name: string, fallback: number, min: number, max: number) => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number from ${min} to ${max} (got '${raw}')`);
    return n;
  };
  const startRaw = get('start') ?? '2026-06-01T00:00:00Z';
  const start = new Date(startRaw);
  if (Number.isNaN(start.getTime())) throw new Error(`--start must be an ISO 8601 time (got '${startRaw}')`);
  return {
    days: num('days', 30, 0.01, 366),
    policy: get('policy') ?? 'policies/london.json',
    compare: get('compare'),
    mix: get('mix') ?? 'blackburn',
    seed: num('seed', 1, 0, 2 ** 31),
    start,
    silence: num('silence', 0, 0, 1),
    late: num('late', 0, 0, 1),
    agencies: get('agencies'),
    quantum: num('quantum', 0, 0, 240),
    out: get('out') ?? join(repoRoot(), '.run', 'simulate', new Date().toISOString().replace(/[:.]/g, '-')),
  };
}

/** On the project's authenticated broker the simulator acts as admin, like the test support. */
function useBrokerPrincipals(): void {
  const file = process.env.MASH_KAFKA_PRINCIPALS ?? defaultPrincipalsFile();
  if (process.env.KAFKA_AUTH === 'none' || !existsSync(file)) return;
  process.env.MASH_KAFKA_PRINCIPALS = file;
  if (!process.env.KAFKA_SASL_USERNAME) Object.assign(process.env, credentialsEnv(loadKafkaPrincipals(file), 'admin'));
}

function daysBar(label: string): (done: number, total: number) => void {
  let last = '';
  return (done, total) => {
    const day = Math.floor(done / 86_400_000);
    const days = Math.round(total / 86_400_000);
    const width = 30;
    const filled = Math.round((Math.min(done, total) / total) * width);
    const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] day ${day}/${days}`;
    if (line === last) return;
    last = line;
    process.stderr.write(process.stderr.isTTY ? `\r${line}` : `${line}\n`);
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  useBrokerPrincipals();
  const profile = profileNamed(args.mix);
  const agencies = parseAgencyBehaviour(args.agencies, { silence: args.silence, late: args.late });
  if (args.silence + args.late > 1) throw new Error('--silence plus --late must not exceed 1');
  const policies = [args.policy, ...(args.compare ? [args.compare] : [])];
  const results: SimulationResult[] = [];
  for (const policy of policies) {
    const r = await simulate({
      policy,
      start: args.start,
      days: args.days,
      seed: args.seed,
      profile,
      agencies,
      quantumMs: args.quantum * 60_000,
      onProgress: daysBar(policy),
    });
    process.stderr.write('\n');
    results.push(r);
  }

  const header = [
    `Simulated ${args.days} days from ${args.start.toISOString()}, profile ${profile.name} (${profile.source}), seed ${args.seed}.`,
    `${args.quantum ? `Simulated events fire on a ${args.quantum}-minute grid. ` : ''}Agencies: silence ${args.silence}, late ${args.late}${args.agencies ? `, ${args.agencies}` : ''}. Decision makers: office hours on the policy's calendar, duty service for Red out of hours.`,
    ...results.map(
      (r) =>
        `${r.records.policy}: ${r.contactsSent} contacts, ${r.records.cases.length} cases, ${r.steps} clock steps, ${(r.wallMs / 1000).toFixed(0)} s wall clock${r.refused.length ? `, ${r.refused.length} refused (first: ${r.refused[0]})` : ''}.`,
    ),
  ];
  const tables = results.map((r) => figures(r.records));
  process.stdout.write(`${header.join('\n')}\n\n${results.map((r, i) => textTable(r.records.policy, tables[i]!)).join('\n\n')}\n`);
  mkdirSync(args.out, { recursive: true });
  writeFileSync(
    join(args.out, 'report.md'),
    `# Simulation report\n\n${header.join('\n\n')}\n\nwd = working days from contact to decision; timescales are each policy's own.\n\n${results.map((r, i) => markdownTable(r.records.policy, tables[i]!)).join('\n\n')}\n`,
  );
  writeFileSync(join(args.out, 'report.csv'), results.map((r, i) => csvRows(r.records.policy, tables[i]!, i === 0)).join(''));
  process.stdout.write(`\nreport: ${join(args.out, 'report.md')} and report.csv\n`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`simulate: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
