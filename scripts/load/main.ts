/**
 * Load generator: realistic contacts posted to a running hub's front door, then each contact's
 * journey read back and summarised.
 *
 *   npm run load -- --contacts N (--rate R | --burst) --seed S [--gateway URL] [--concurrency C]
 *                   [--wait SECONDS] [--tag T] [--base ISO] [--tokens agency=token,...] [--ops-token T]
 *
 * The same seed, tag and base time send the same contacts (`--base` is printed at the start, so a
 * run can be replayed exactly; a replay against the same hub is answered 200, "already received").
 * Tokens default to the demo credentials `npm start` uses. With --wait (default 300 s, 0 skips)
 * it polls every contact until it is ready for decision, then prints stage times, contacts whose
 * case is stranded (every agency asked has replied, yet not ready), and duplicated effects.
 */
import { Agent } from 'node:http';
import { SUBMITTING_AGENCIES, SubmittingAgency } from '@mash/contracts';
import { httpJson, percentile, postContacts, progressBar, readStatuses, repeatedHistory, stageDelay } from './drive';
import { describeMix, generateContacts } from './generate';

interface Args {
  contacts: number;
  rate?: number;
  seed: number;
  gateway: string;
  concurrency: number;
  wait: number;
  tag: string;
  base: Date;
  tokens: Record<SubmittingAgency, string>;
  opsToken: string;
}

function usage(problem: string): never {
  process.stderr.write(
    `load: ${problem}\nusage: npm run load -- --contacts N (--rate R | --burst) --seed S [--gateway URL] [--concurrency C] [--wait SECONDS] [--tag T] [--base ISO] [--tokens agency=token,...] [--ops-token T]\n`,
  );
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) usage(`unexpected argument '${a}'`);
    if (a === '--burst') flags.set('burst', 'true');
    else if (i + 1 < argv.length) flags.set(a.slice(2), argv[++i]);
    else usage(`${a} needs a value`);
  }
  const known = ['contacts', 'rate', 'burst', 'seed', 'gateway', 'concurrency', 'wait', 'tag', 'base', 'tokens', 'ops-token'];
  for (const k of flags.keys()) if (!known.includes(k)) usage(`unknown option --${k}`);
  const num = (k: string, fallback?: number) => {
    const v = flags.get(k);
    if (v === undefined) {
      if (fallback === undefined) usage(`--${k} is required`);
      return fallback;
    }
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) usage(`--${k} must be a non-negative number, got '${v}'`);
    return n;
  };
  if (flags.has('rate') === flags.has('burst')) usage('give exactly one of --rate R or --burst');
  const seed = num('seed');
  const tokens = {
    police: 'demo-police-token',
    health: 'demo-health-token',
    education: 'demo-education-token',
    'contact-centre': 'demo-contact-centre-token',
  } as Record<SubmittingAgency, string>;
  for (const pair of (flags.get('tokens') ?? process.env.LOAD_TOKENS ?? '').split(',').filter(Boolean)) {
    const [agency, token] = pair.split('=');
    if (!(SUBMITTING_AGENCIES as readonly string[]).includes(agency) || !token)
      usage(`--tokens: '${agency}' is not agency=token for a submitting agency`);
    tokens[agency as SubmittingAgency] = token;
  }
  const base = flags.has('base') ? new Date(flags.get('base')!) : new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
  if (Number.isNaN(base.getTime())) usage(`--base must be an ISO time, got '${flags.get('base')}'`);
  const rate = flags.has('rate') ? num('rate') : undefined;
  if (rate === 0) usage('--rate must be above 0');
  return {
    contacts: Math.floor(num('contacts')),
    rate,
    seed: Math.floor(seed),
    gateway: (flags.get('gateway') ?? process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, ''),
    concurrency: Math.max(1, Math.floor(num('concurrency', 16))),
    wait: num('wait', 300),
    tag: flags.get('tag') ?? `S${Math.floor(seed)}`,
    base,
    tokens,
    opsToken: flags.get('ops-token') ?? process.env.LOAD_OPS_TOKEN ?? 'demo-ops-token',
  };
}

const fmt = (ms: number) => (Number.isNaN(ms) ? '-' : ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

interface BoardCase {
  caseId: string;
  readyForDecision: boolean;
  agencies: { agency: string; status: string }[];
}

/** Open cases whose every asked agency has replied but which are not ready: read twice, a settle apart. */
async function strandedCases(
  gateway: string,
  opsToken: string,
  settleMs: number,
): Promise<{ stranded: string[]; open: number; shown: number } | { error: string }> {
  const agent = new Agent({ keepAlive: true });
  const read = async () => {
    const res = await httpJson(agent, `${gateway}/v1/board?limit=2000`, 'GET', opsToken);
    if (res.status !== 200) throw new Error(`GET /v1/board answered ${res.status}`);
    return JSON.parse(res.body) as { counts: { open: number }; shown: number; cases: BoardCase[] };
  };
  const candidates = (b: { cases: BoardCase[] }) =>
    new Set(
      b.cases
        .filter(
          (c) => !c.readyForDecision && c.agencies.length > 0 && c.agencies.every((a) => a.status === 'replied' || a.status === 'late'),
        )
        .map((c) => c.caseId),
    );
  try {
    const first = candidates(await read());
    await new Promise((r) => setTimeout(r, settleMs));
    const second = await read();
    const still = candidates(second);
    agent.destroy();
    return { stranded: [...first].filter((c) => still.has(c)), open: second.counts.open, shown: second.shown };
  } catch (err) {
    agent.destroy();
    return { error: (err as Error).message };
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const list = generateContacts({ count: args.contacts, seed: args.seed, baseTime: args.base, tag: args.tag });
  const mix = describeMix(list);
  process.stdout.write(
    `load: ${args.contacts} contacts, seed ${args.seed}, tag ${args.tag}, base ${args.base.toISOString()}, ${args.rate ? `${args.rate}/s` : 'burst'}, ${args.concurrency} at a time, to ${args.gateway}\n`,
  );
  process.stdout.write(
    `mix: ${JSON.stringify({ families: mix.families, expectedCases: mix.expectedCases, byAgency: mix.byAgency, byKind: mix.byKind, byIntendedRating: mix.byIntendedRating, withSiblings: mix.withSiblings })}\n`,
  );

  const posted = await postContacts(list, {
    gateway: args.gateway,
    tokens: args.tokens,
    concurrency: args.concurrency,
    rate: args.rate,
    onProgress: progressBar('posting'),
  });
  const fresh = posted.accepted.filter((a) => a.status === 202).length;
  process.stdout.write(
    `front door: ${posted.accepted.length} accepted (${fresh} new, ${posted.accepted.length - fresh} already received) in ${posted.seconds.toFixed(1)} s = ${(posted.accepted.length / posted.seconds).toFixed(1)}/s; 429 retried ${posted.retried429}; failed ${posted.failed.length}\n`,
  );
  for (const f of posted.failed.slice(0, 5)) process.stdout.write(`  failed #${f.index}: ${f.status} ${f.body}\n`);
  if (!args.wait || !posted.accepted.length) return;

  const items = posted.accepted.map((a) => ({ contactId: a.contactId, agency: list[a.index].agency }));
  const deadline = Date.now() + args.wait * 1000;
  let statuses = await readStatuses(args.gateway, items, args.tokens);
  const ready = () => [...statuses.values()].filter((s) => s.readyAt).length;
  const bar = progressBar('ready for decision');
  while (ready() < items.length && Date.now() < deadline) {
    bar(ready(), items.length);
    await new Promise((r) => setTimeout(r, 2000));
    statuses = await readStatuses(args.gateway, items, args.tokens);
  }
  bar(ready(), items.length);

  const all = [...statuses.values()];
  const delays = (stages: string[]) => all.map((s) => stageDelay(s, stages)).filter((x): x is number => x !== undefined);
  const row = (name: string, v: number[]) =>
    `  ${name.padEnd(28)} n=${String(v.length).padStart(6)}  p50 ${fmt(percentile(v, 50)).padStart(9)}  p99 ${fmt(percentile(v, 99)).padStart(9)}  max ${fmt(v.length ? Math.max(...v) : NaN).padStart(9)}\n`;
  process.stdout.write(`stage times from receipt (each contact's own history):\n`);
  process.stdout.write(row('rated', delays(['rated', 'checks-in-progress'])));
  process.stdout.write(row('checks dispatched', delays(['checks-in-progress'])));
  process.stdout.write(row('ready for decision', delays(['ready-for-decision'])));
  process.stdout.write(row('decided', delays(['decided'])));
  const firstAccept = Math.min(...all.map((s) => Date.parse(s.receivedAt)));
  const readyTimes = all
    .map((s) => s.history.find((h) => h.stage === 'ready-for-decision'))
    .filter(Boolean)
    .map((h) => Date.parse(h!.at));
  if (readyTimes.length)
    process.stdout.write(
      `end to end: ${readyTimes.length} ready in ${((Math.max(...readyTimes) - firstAccept) / 1000).toFixed(1)} s from first receipt = ${(readyTimes.length / ((Math.max(...readyTimes) - firstAccept) / 1000)).toFixed(1)} contacts/s\n`,
    );

  // Duplicates: the same event applied twice to a contact, and reports of one incident that did not join one case.
  const repeated = all.filter((s) => repeatedHistory(s).length);
  const caseOf = new Map(posted.accepted.map((a) => [a.index, statuses.get(a.contactId)?.caseId ?? undefined]));
  const notJoined = list.filter(
    (g) =>
      g.kind === 'duplicate-incident' &&
      caseOf.get(g.index) &&
      caseOf.get(g.sameCaseAs!) &&
      caseOf.get(g.index) !== caseOf.get(g.sameCaseAs!),
  );
  const byCase = new Map<string, Set<number>>();
  for (const g of list) {
    const c = caseOf.get(g.index);
    if (c) byCase.set(c, (byCase.get(c) ?? new Set()).add(g.kind === 'duplicate-incident' ? g.sameCaseAs! : g.index));
  }
  const merged = [...byCase.values()].filter((s) => s.size > 1).length;
  // A contact that joined another report's case shows whether its own status follows that case.
  const kindOf = new Map(posted.accepted.map((a) => [a.contactId, list[a.index].kind]));
  const notReady = all.filter((s) => !s.readyAt);
  const tally = (f: (s: (typeof all)[number]) => string) =>
    JSON.stringify(notReady.reduce((m, s) => ((m[f(s)] = (m[f(s)] ?? 0) + 1), m), {} as Record<string, number>));
  process.stdout.write(
    `not ready after the wait: ${items.length - ready()}${notReady.length ? ` (by stage: ${tally((s) => s.stage)}; by kind of contact: ${tally((s) => kindOf.get(s.contactId) ?? '?')})` : ''}\n`,
  );
  process.stdout.write(
    `duplicates: ${repeated.length} contacts with an event applied twice; ${notJoined.length} reports of one incident in two cases; ${merged} cases holding unrelated incidents\n`,
  );
  const stranded = await strandedCases(args.gateway, args.opsToken, 3000);
  if ('error' in stranded) process.stdout.write(`stranded: not measured (${stranded.error}; give --ops-token)\n`);
  else
    process.stdout.write(
      `stranded: ${stranded.stranded.length} open cases with every asked agency replied and not ready for decision (of ${stranded.open} open, ${stranded.shown} read)${stranded.stranded.length ? `: ${stranded.stranded.slice(0, 10).join(', ')}` : ''}\n`,
    );
}

main().catch((err) => {
  process.stderr.write(`load failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
