/**
 * `npm run bench:e2e`: the hub end to end on this machine, and the machine's own limit, in one run.
 *
 *   npm run bench:e2e -- [--burst N] [--rate R] [--steady SECONDS] [--seed S] [--limit-records N] [--out FILE]
 *
 * 1. Starts a hub of its own (the four services and the seven connectors as real processes, a fresh
 *    database and topic prefix, test/support/hub.ts) on the local broker and Postgres.
 * 2. Burst: N realistic contacts (scripts/load) posted as fast as 32 connections allow; then a
 *    steady rate R for S seconds. An automatic decision maker records a decision for every case as
 *    soon as it is ready, so each contact goes on to its referrer's outcome notice.
 * 3. Reads every contact's own stage history, each service's CPU seconds and Postgres statements
 *    (its /metrics), the CPU of Postgres, the broker and this driver beside them (what the
 *    machine's cores went on), each process's peak RSS in each phase (/proc: the kernel's
 *    high-water mark, reset at the phase's start, so start-up and the other phase are not counted
 *    in it), and the gateway's consumer-lag sampler during the run.
 * 4. The limit, in the same run: Apache Kafka's ProducerPerformance and ConsumerPerformance (1 KiB
 *    records, acks=all) from the broker's own version, and a bare chain through our Kafka port (the
 *    same number of handlings per contact as the hub, each a validated consume and an acks=all
 *    publish, no database).
 * Prints one table and writes it, with the machine's details, to bench/results.md (or --out).
 * Numbers from a shared or busy machine say so only through the load average printed beside them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { Agent } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { CHECK_AGENCIES, SubmittingAgency, TOPICS, topicDefinition } from '@mash/contracts';
import { validExamples } from '@mash/contracts/examples';
import { credentialsOf, defaultPrincipalsFile, KafkaPort, KafkaPrincipals, loadKafkaPrincipals } from '@mash/messaging';
import { repoRoot } from '@mash/policy';
import { httpJson, percentile, postContacts, progressBar, readStatuses } from '../scripts/load/drive';
import { generateContacts } from '../scripts/load/generate';
import { decide } from '../test/support/contactFlow';
import { METRICS_AUTH, SERVICES, startTestHub, TEST_TOKENS, TestHub } from '../test/support/hub';

interface Args {
  burst: number;
  rate: number;
  steady: number;
  seed: number;
  limitRecords: number;
  out: string;
  waitSeconds: number;
}

function parseArgs(argv: string[]): Args {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined)
      throw new Error(`bench:e2e: expected --option value pairs, got '${argv.slice(i).join(' ')}'`);
    flags.set(argv[i].slice(2), argv[i + 1]);
  }
  const known = ['burst', 'rate', 'steady', 'seed', 'limit-records', 'out', 'wait'];
  for (const k of flags.keys()) if (!known.includes(k)) throw new Error(`bench:e2e: unknown option --${k} (known: ${known.join(', ')})`);
  const num = (k: string, d: number) => {
    const n = Number(flags.get(k) ?? d);
    if (!Number.isFinite(n) || n < 0) throw new Error(`bench:e2e: --${k} must be a non-negative number`);
    return n;
  };
  return {
    burst: num('burst', 1000),
    rate: num('rate', 20),
    steady: num('steady', 60),
    seed: num('seed', 1),
    limitRecords: num('limit-records', 200000),
    waitSeconds: num('wait', 900),
    out: flags.get('out') ?? join(repoRoot(), 'bench', 'results.md'),
  };
}

// ---------------------------------------------------------------------------------------------
// Processes: CPU seconds and peak resident memory, read from /proc (Linux).

const TICKS = 100; // USER_HZ on Linux
interface ProcSample {
  cpuSeconds: number;
  peakRssMb: number;
}
function procSample(pid: number | undefined): ProcSample | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuSeconds = (Number(f[11]) + Number(f[12])) / TICKS;
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return { cpuSeconds, peakRssMb: hwm ? Number(hwm[1]) / 1024 : NaN };
  } catch {
    return undefined;
  }
}
/** CPU seconds of every process whose command is `comm`, with what their exited children used (a Postgres backend that closed). */
function cpuOfCommand(comm: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== comm) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS;
    } catch {
      // gone between the listing and the read
    }
  }
  return total;
}

function brokerPid(): number | undefined {
  try {
    return Number(readFileSync(join(dirname(defaultPrincipalsFile()), 'kafka.pid'), 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

/** Rows beside the hub's own processes: what else the machine spent its CPU on in a phase. */
const POSTGRES = 'postgres (whole server)';
const BROKER = 'kafka broker';
const DRIVER = 'bench (load, decisions, reads)';

/**
 * Resets each process's high-water mark (VmHWM) to its RSS now, so the next reading is the peak
 * since this call: without it VmHWM is the peak since the process started, start-up included.
 * Linux 4.0 on (`5` to /proc/<pid>/clear_refs); false where that is refused, and the peaks read
 * then are since start.
 */
function resetPeaks(hub: TestHub): boolean {
  let ok = true;
  for (const r of hub.processes.values()) {
    try {
      if (r.child.pid) writeFileSync(`/proc/${r.child.pid}/clear_refs`, '5');
    } catch {
      ok = false;
    }
  }
  return ok;
}
function sampleAll(hub: TestHub): Map<string, ProcSample> {
  const out = new Map<string, ProcSample>();
  for (const [name, r] of hub.processes) {
    const s = procSample(r.child.pid);
    if (s) out.set(name, s);
  }
  out.set(POSTGRES, { cpuSeconds: cpuOfCommand('postgres'), peakRssMb: NaN });
  const broker = procSample(brokerPid());
  if (broker) out.set(BROKER, broker);
  const own = process.cpuUsage();
  out.set(DRIVER, { cpuSeconds: (own.user + own.system) / 1e6, peakRssMb: process.memoryUsage().rss / 2 ** 20 });
  return out;
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

/** What a service's /metrics counts that the processes table divides per contact. */
interface ServiceCounts {
  /** Postgres statements (mash_db_statements_total). */
  statements: number;
  /** Messages its handlers handled (mash_messages_consumed_total, outcome handled). */
  handled: number;
  /** Runs of messages handled in one transaction, and the messages in them (mash_message_run_size). */
  runs: number;
  inRuns: number;
  /** Runs that failed: the message that failed one went alone, the rest in runs again (mash_message_runs_handled_singly_total). */
  singly: number;
}

/** Each service's counters, read from its /metrics. */
async function countsOf(hub: TestHub): Promise<Map<string, ServiceCounts>> {
  const out = new Map<string, ServiceCounts>();
  for (const name of SERVICES) {
    const res = await fetch(`http://127.0.0.1:${hub.ports[name]}/metrics`, { headers: METRICS_AUTH }).catch(() => undefined);
    if (!res?.ok) continue;
    const text = await res.text();
    const total = (re: RegExp) => [...text.matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
    out.set(name, {
      statements: total(/^mash_db_statements_total\{[^}]*\} (\d+(?:\.\d+)?)$/gm),
      handled: total(/^mash_messages_consumed_total\{[^}]*outcome="handled"[^}]*\} (\d+(?:\.\d+)?)$/gm),
      runs: total(/^mash_message_run_size_count\{[^}]*\} (\d+(?:\.\d+)?)$/gm),
      inRuns: total(/^mash_message_run_size_sum\{[^}]*\} (\d+(?:\.\d+)?)$/gm),
      singly: total(/^mash_message_runs_handled_singly_total\{[^}]*\} (\d+(?:\.\d+)?)$/gm),
    });
  }
  return out;
}

function countsSince(before: Map<string, ServiceCounts>, after: Map<string, ServiceCounts>): Map<string, ServiceCounts> {
  return new Map(
    [...after].map(([n, a]) => {
      const b = before.get(n);
      return [
        n,
        {
          statements: a.statements - (b?.statements ?? 0),
          handled: a.handled - (b?.handled ?? 0),
          runs: a.runs - (b?.runs ?? 0),
          inRuns: a.inRuns - (b?.inRuns ?? 0),
          singly: a.singly - (b?.singly ?? 0),
        },
      ];
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// One phase: post, decide automatically, follow every contact to its notice.

interface Journey {
  contactId: string;
  receivedAt: string;
  readyAt?: string | null;
  decidedAt?: string | null;
  referrerInformedAt?: string | null;
  history: { at: string; stage: string }[];
}

interface PhaseResult {
  name: string;
  posted: number;
  failed: number;
  postSeconds: number;
  journeys: Journey[];
  informed: number;
  maxLagSeconds: number;
  maxLagGroup: string;
  cpu: Map<string, number>;
  /** Each service's statements, messages and runs during the phase. */
  counts: Map<string, ServiceCounts>;
  /** From the first post to the last notice read. */
  seconds: number;
  /** Each process's peak RSS during the phase (since start, where peakSinceStart). */
  peak: Map<string, ProcSample>;
  peakSinceStart: boolean;
}

/** Status reads per round while waiting (see runPhase). */
const STATUS_READS_PER_ROUND = 100;

const at = (j: Journey, stages: string[]) => {
  const h = j.history.find((x) => stages.includes(x.stage));
  return h ? Date.parse(h.at) : undefined;
};

/**
 * When the referrer's outcome notice was settled: delivered, or found to have no channel to go to
 * (a referrer who left none is a valid end, not a wait), or failed after its retries.
 */
const noticeSettled = (j: Journey) =>
  j.referrerInformedAt ? Date.parse(j.referrerInformedAt) : at(j, ['no-referrer-channel', 'notice-failed']);

async function runPhase(
  hub: TestHub,
  name: string,
  contacts: number,
  rate: number | undefined,
  seed: number,
  waitSeconds: number,
): Promise<PhaseResult> {
  const tokens = Object.fromEntries(
    (['police', 'health', 'education', 'contact-centre'] as const).map((a) => [a, TEST_TOKENS[a]]),
  ) as Record<SubmittingAgency, string>;
  const list = generateContacts({
    count: contacts,
    seed,
    baseTime: new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000),
    tag: `${name}${seed}`,
  });
  const peakSinceStart = !resetPeaks(hub);
  const cpuBefore = sampleAll(hub);
  const countsBefore = await countsOf(hub);
  const phaseStart = Date.now();
  let maxLagSeconds = 0;
  let maxLagGroup = '-';
  const agent = new Agent({ keepAlive: true });
  let sampling = true;
  const lagLoop = (async () => {
    while (sampling) {
      const res = await httpJson(agent, `${hub.gatewayUrl}/v1/ops/lag`, 'GET', TEST_TOKENS.ops);
      if (res.status === 200) {
        for (const g of (JSON.parse(res.body) as { groups: { group: string; maxLagSeconds: number }[] }).groups) {
          if (g.maxLagSeconds > maxLagSeconds) [maxLagSeconds, maxLagGroup] = [g.maxLagSeconds, g.group];
        }
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  })();

  const posted = await postContacts(list, {
    gateway: hub.gatewayUrl,
    tokens,
    concurrency: 32,
    rate,
    onProgress: progressBar(`${name}: posting`),
  });
  const items = posted.accepted.map((a) => ({ contactId: a.contactId, agency: list[a.index].agency }));
  const decided = new Set<string>();
  const deadline = Date.now() + waitSeconds * 1000;
  const bar = progressBar(`${name}: outcome notices settled`);
  let statuses = new Map<string, Journey>();
  const settled = new Set<string>();
  let cursor = 0;
  for (;;) {
    // The decision maker works from the board, as a manager would: one read for every ready case.
    const board = await httpJson(agent, `${hub.gatewayUrl}/v1/board?limit=2000`, 'GET', TEST_TOKENS.manager);
    const ready =
      board.status === 200
        ? (JSON.parse(board.body) as { cases: { caseId: string; rating: string; readyForDecision: boolean }[] }).cases.filter(
            (c) => c.readyForDecision && !decided.has(c.caseId),
          )
        : [];
    await Promise.all(
      ready.map(async (c) => {
        // A slow answer is tried again next round; 'already' covers a decision whose answer was lost.
        const outcome = await decide(hub.gatewayUrl, c.caseId, c.rating).catch((err: Error) => err.message);
        if (outcome === 'recorded' || outcome === 'already') decided.add(c.caseId);
      }),
    );
    // Referrers' status reads are audited disclosures: the benchmark reads a slice of the contacts
    // still in flight each round, not all of them every second, so it does not load the hub it measures.
    const open = items.filter((i) => !settled.has(i.contactId));
    const slice =
      open.length <= STATUS_READS_PER_ROUND
        ? open
        : Array.from({ length: STATUS_READS_PER_ROUND }, (_, k) => open[(cursor + k) % open.length]);
    cursor += STATUS_READS_PER_ROUND;
    for (const [id, j] of (await readStatuses(hub.gatewayUrl, slice, tokens, 8)) as unknown as Map<string, Journey>) {
      if (noticeSettled(j) !== undefined) settled.add(id);
    }
    bar(settled.size, items.length);
    if (settled.size >= items.length || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  // Each contact's own history, read once at the end.
  statuses = (await readStatuses(hub.gatewayUrl, items, tokens, 16)) as unknown as Map<string, Journey>;
  sampling = false;
  await lagLoop;
  agent.destroy();
  const cpuAfter = sampleAll(hub);
  const cpu = new Map([...cpuAfter].map(([n, s]) => [n, s.cpuSeconds - (cpuBefore.get(n)?.cpuSeconds ?? 0)]));
  const counts = countsSince(countsBefore, await countsOf(hub));
  const journeys = [...statuses.values()];
  return {
    name,
    posted: posted.accepted.length,
    failed: posted.failed.length,
    postSeconds: posted.seconds,
    journeys,
    informed: journeys.filter((j) => noticeSettled(j) !== undefined).length,
    maxLagSeconds,
    maxLagGroup,
    cpu,
    counts,
    seconds: (Date.now() - phaseStart) / 1000,
    peak: cpuAfter,
    peakSinceStart,
  };
}

// ---------------------------------------------------------------------------------------------
// The limit: Kafka's own tools, and a bare chain through our port.

function kafkaLibs(): { libs: string; tools: string } {
  const pom = readFileSync(join(repoRoot(), 'infra', 'kafka', 'pom.xml'), 'utf8');
  const version = /<kafka\.version>([^<]+)</.exec(pom)![1];
  const cache = process.env.KAFKA_HOME_CACHE ?? join(process.env.HOME ?? '', '.cache', 'mash-kafka', version);
  return { libs: join(cache, 'libs'), tools: join(cache, 'tools') };
}

function clientProperties(principals: KafkaPrincipals | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'mash-bench-'));
  const file = join(dir, 'client.properties');
  const lines = principals
    ? [
        'security.protocol=SASL_PLAINTEXT',
        'sasl.mechanism=SCRAM-SHA-512',
        `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${principals.passwords.get('admin')}";`,
      ]
    : [];
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

async function kafkaToolLimits(
  brokers: string,
  principals: KafkaPrincipals | undefined,
  records: number,
  prefix: string,
): Promise<{ producerPerSec: number; consumerPerSec: number; raw: string[] }> {
  const { libs, tools } = kafkaLibs();
  if (!existsSync(tools)) throw new Error(`Kafka's tools are not in ${tools}: bench/e2e-setup.sh fetches them`);
  const topic = `${prefix}perf`;
  const admin = new KafkaPort({
    brokers: brokers.split(','),
    clientId: 'bench-perf',
    prefix: '',
    ...(principals ? { sasl: credentialsOf(principals, 'admin') } : {}),
  });
  const a = await admin.adminClient();
  await a.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  const props = clientProperties(principals);
  const cp = `${libs}/*:${tools}/*`;
  const java = (args: string[]) =>
    execFileSync('java', ['-Xmx512m', '-cp', cp, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  try {
    const produced = java([
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      topic,
      '--num-records',
      String(records),
      '--record-size',
      '1024',
      '--throughput',
      '-1',
      '--bootstrap-server',
      brokers,
      '--command-property',
      'acks=all',
      '--command-config',
      props,
    ])
      .trim()
      .split('\n');
    const last = produced[produced.length - 1];
    const producerPerSec = Number(/([\d.]+) records\/sec/.exec(last)?.[1] ?? NaN);
    const consumed = java([
      'org.apache.kafka.tools.ConsumerPerformance',
      '--bootstrap-server',
      brokers,
      '--topic',
      topic,
      '--num-records',
      String(records),
      '--command-config',
      props,
      '--group',
      `${prefix}perf-group`,
    ])
      .trim()
      .split('\n');
    // CSV: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ...
    const header = consumed
      .find((l) => l.includes('nMsg.sec'))!
      .split(',')
      .map((s) => s.trim());
    const values = consumed[consumed.length - 1].split(',').map((s) => s.trim());
    const consumerPerSec = Number(values[header.indexOf('nMsg.sec')]);
    return { producerPerSec, consumerPerSec, raw: [last, consumed[consumed.length - 1]] };
  } finally {
    await a.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await a.deleteGroups([`${prefix}perf-group`]).catch(() => undefined);
    await admin.close();
  }
}

/**
 * The hub's message graph with nothing but our port: each contact is a chain of `hops` handlings,
 * each a consume (validated against the contract) and a publish with acks=all, committed after.
 */
async function bareChain(
  brokers: string,
  principals: KafkaPrincipals | undefined,
  contacts: number,
  hops: number,
  prefix: string,
): Promise<{ contactsPerSec: number; handlingsPerSec: number; seconds: number }> {
  const config = {
    brokers: brokers.split(','),
    clientId: 'bench-chain',
    prefix,
    ...(principals ? { sasl: credentialsOf(principals, 'admin') } : {}),
  };
  const port = new KafkaPort(config);
  const def = topicDefinition(TOPICS.contactReceived)!;
  await port.ensureTopics([def]);
  const example = validExamples.contactReceived;
  let finished = 0;
  let t0 = 0;
  let done!: () => void;
  const allDone = new Promise<void>((r) => (done = r));
  const sub = await port.subscribe({
    group: 'bench-chain',
    topics: [TOPICS.contactReceived],
    concurrency: def.partitions,
    handle: async (msg) => {
      const [id, hop] = msg.envelope.key.split(':');
      const next = Number(hop) + 1;
      if (next >= hops) {
        if (++finished === contacts) done();
        return;
      }
      await port.publish([{ topic: TOPICS.contactReceived, key: `${id}:${next}`, data: example }]);
    },
  });
  t0 = Date.now();
  for (let i = 0; i < contacts; i += 100) {
    await port.publish(
      Array.from({ length: Math.min(100, contacts - i) }, (_, k) => ({ topic: TOPICS.contactReceived, key: `c${i + k}:0`, data: example })),
    );
  }
  await allDone;
  const seconds = (Date.now() - t0) / 1000;
  await sub.stop();
  const a = await port.adminClient();
  await a.deleteTopics({ topics: [port.physical(TOPICS.contactReceived)] }).catch(() => undefined);
  await port.close();
  return { contactsPerSec: contacts / seconds, handlingsPerSec: (contacts * hops) / seconds, seconds };
}

/**
 * Messages the hub's consumer groups handled per contact: every committed offset of the run's
 * groups (services and connectors), over the contacts posted. The bare chain below uses this many.
 */
async function handlingsPer(brokers: string, principals: KafkaPrincipals | undefined, prefix: string, contacts: number): Promise<number> {
  const port = new KafkaPort({
    brokers: brokers.split(','),
    clientId: 'bench-offsets',
    prefix: '',
    ...(principals ? { sasl: credentialsOf(principals, 'admin') } : {}),
  });
  try {
    const a = await port.adminClient();
    const groups = (await a.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
    let handled = 0;
    for (const groupId of groups) {
      for (const t of await a.fetchOffsets({ groupId })) for (const p of t.partitions) handled += Math.max(0, Number(p.offset));
    }
    return Math.max(1, Math.round(handled / Math.max(1, contacts)));
  } finally {
    await port.close();
  }
}

// ---------------------------------------------------------------------------------------------

const ms = (v: number) => (Number.isNaN(v) ? '-' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);

function stepRows(p: PhaseResult): string[] {
  const delays = (from: (j: Journey) => number | undefined, to: (j: Journey) => number | undefined) =>
    p.journeys
      .map((j) => [from(j), to(j)])
      .filter((x): x is [number, number] => x[0] !== undefined && x[1] !== undefined)
      .map(([a, b]) => b - a);
  const received = (j: Journey) => Date.parse(j.receivedAt);
  const steps: [string, number[]][] = [
    ['accept -> rated', delays(received, (j) => at(j, ['rated', 'checks-in-progress']))],
    ['accept -> checks dispatched', delays(received, (j) => at(j, ['checks-in-progress']))],
    ['accept -> ready for decision', delays(received, (j) => (j.readyAt ? Date.parse(j.readyAt) : undefined))],
    ['decided -> notice settled', delays((j) => (j.decidedAt ? Date.parse(j.decidedAt) : undefined), noticeSettled)],
  ];
  return steps.map(([n, v]) => `| ${p.name} | ${n} | ${v.length} | ${ms(percentile(v, 50))} | ${ms(percentile(v, 99))} |`);
}

function throughput(p: PhaseResult): { toReady: number; toNotice: number } {
  const first = Math.min(...p.journeys.map((j) => Date.parse(j.receivedAt)));
  const readyTimes = p.journeys.filter((j) => j.readyAt).map((j) => Date.parse(j.readyAt!));
  const informedTimes = p.journeys.map(noticeSettled).filter((t): t is number => t !== undefined);
  const rate = (times: number[]) => (times.length ? times.length / Math.max(0.001, (Math.max(...times) - first) / 1000) : NaN);
  return { toReady: rate(readyTimes), toNotice: rate(informedTimes) };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  process.env.KAFKA_BROKERS = brokers;
  const principalsFile = process.env.MASH_KAFKA_PRINCIPALS ?? defaultPrincipalsFile();
  const principals = existsSync(principalsFile) ? loadKafkaPrincipals(principalsFile) : undefined;
  if (principals) process.env.MASH_KAFKA_PRINCIPALS = principalsFile;
  const started = new Date();
  const load0 = loadavg()[0];
  process.stdout.write(
    `bench:e2e: burst ${args.burst}, steady ${args.rate}/s for ${args.steady} s, seed ${args.seed}, broker ${brokers}${principals ? ' (SCRAM)' : ''}\n`,
  );

  const hub = await startTestHub(
    CHECK_AGENCIES.map((a) => ({ name: `connector-${a}`, entry: `apps/connectors/${a}/src/main` })),
    { LOG_LEVEL: 'warn', MASH_RATE_LIMIT_PER_SEC: '100000' },
  );
  let burst: PhaseResult;
  let steady: PhaseResult | undefined;
  let handlingsPerContact: number;
  try {
    burst = await runPhase(hub, 'burst', args.burst, undefined, args.seed, args.waitSeconds);
    if (args.steady > 0)
      steady = await runPhase(hub, 'steady', Math.round(args.rate * args.steady), args.rate, args.seed + 1, args.waitSeconds);
    handlingsPerContact = await handlingsPer(brokers, principals, hub.env.MASH_TOPIC_PREFIX, burst.posted + (steady?.posted ?? 0));
  } finally {
    // A failure to clean up must not hide why the run stopped.
    await hub
      .stop()
      .catch((err: Error) => process.stderr.write(`bench:e2e: could not drop the run's topics and database: ${err.message}\n`));
  }

  process.stdout.write('limit: Kafka ProducerPerformance / ConsumerPerformance...\n');
  const limits = await kafkaToolLimits(brokers, principals, args.limitRecords, `${hub.runId}-`);
  process.stdout.write('limit: a bare chain through our Kafka port...\n');
  const chain = await bareChain(brokers, principals, Math.min(args.burst, 2000), handlingsPerContact, `${hub.runId}-chain.`);

  const b = throughput(burst);
  const s = steady ? throughput(steady) : undefined;
  const hubHandlings = b.toReady * handlingsPerContact;
  const services = ['gateway', 'triage', 'checks', 'notifier', ...CHECK_AGENCIES.map((a) => `connector-${a}`)];
  const lines = [
    `# bench:e2e results`,
    ``,
    `Run ${started.toISOString()} on ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, ` +
      `load average ${load0.toFixed(2)} at the start and ${loadavg()[0].toFixed(2)} at the end (hub, broker and Postgres on the same machine).`,
    ``,
    `## Throughput`,
    ``,
    `| phase | contacts | accepted/s at the front door | contacts/s to ready for decision | contacts/s to outcome notice | notices settled | max consumer lag |`,
    `| --- | --- | --- | --- | --- | --- | --- |`,
    `| burst | ${burst.posted} (${burst.failed} failed) | ${(burst.posted / burst.postSeconds).toFixed(1)} | ${b.toReady.toFixed(1)} | ${b.toNotice.toFixed(1)} | ${burst.informed} | ${burst.maxLagSeconds.toFixed(0)} s (${burst.maxLagGroup}) |`,
    ...(steady && s
      ? [
          `| steady ${args.rate}/s | ${steady.posted} (${steady.failed} failed) | ${(steady.posted / steady.postSeconds).toFixed(1)} | ${s.toReady.toFixed(1)} | ${s.toNotice.toFixed(1)} | ${steady.informed} | ${steady.maxLagSeconds.toFixed(0)} s (${steady.maxLagGroup}) |`,
        ]
      : []),
    ``,
    `The contacts/s to the outcome notice include the automatic decision maker's polling (1 s rounds).`,
    ``,
    `## Latency of each step (each contact's own history)`,
    ``,
    `| phase | step | n | p50 | p99 |`,
    `| --- | --- | --- | --- | --- |`,
    ...stepRows(burst),
    ...(steady ? stepRows(steady) : []),
    ``,
    `## Processes`,
    ``,
    `| process | CPU s (burst) | CPU ms per contact (burst) | Postgres statements per contact (burst) | CPU s (steady) | peak RSS MB (burst) | peak RSS MB (steady) |`,
    `| --- | --- | --- | --- | --- | --- | --- |`,
    ...[...services, POSTGRES, BROKER, DRIVER].map((n) => {
      const perContact = (v: number | undefined) => (v === undefined ? '-' : (v / burst.posted).toFixed(1));
      const cpuB = burst.cpu.get(n);
      // Peaks only for the hub's processes: theirs alone are reset at each phase's start.
      const rss = (p: PhaseResult | undefined) => (p && services.includes(n) ? (p.peak.get(n)?.peakRssMb ?? NaN).toFixed(0) : '-');
      return (
        `| ${n} | ${(cpuB ?? NaN).toFixed(1)} | ${cpuB === undefined ? '-' : ((cpuB * 1000) / burst.posted).toFixed(1)} | ${perContact(burst.counts.get(n)?.statements)} | ` +
        `${steady ? (steady.cpu.get(n) ?? NaN).toFixed(1) : '-'} | ${rss(burst)} | ${rss(steady)} |`
      );
    }),
    `| all of the above | ${sum(burst.cpu).toFixed(1)} | ${((sum(burst.cpu) * 1000) / burst.posted).toFixed(1)} | ${([...burst.counts.values()].reduce((a, c) => a + c.statements, 0) / burst.posted).toFixed(1)} | ${steady ? sum(steady.cpu).toFixed(1) : '-'} | | |`,
    ``,
    `The burst phase lasted ${burst.seconds.toFixed(0)} s, so ${cpus().length} cores offered ${(burst.seconds * cpus().length).toFixed(0)} CPU s; ` +
      `the rows above used ${((sum(burst.cpu) / (burst.seconds * cpus().length)) * 100).toFixed(0)}% of it. Postgres counts every database on its server.`,
    ``,
    `## Messages per transaction (burst)`,
    ``,
    `A transaction costs its begin, its commit, the inbox and usually an outbox relay whatever it holds: the more messages a run holds, the fewer of those a contact pays.`,
    ``,
    `| service | messages handled per contact | transactions (runs) per contact | messages per run | runs that failed (a message not ready, a deadlock) |`,
    `| --- | --- | --- | --- | --- |`,
    ...SERVICES.map((n) => {
      const c = burst.counts.get(n);
      if (!c) return `| ${n} | - | - | - | - |`;
      return `| ${n} | ${(c.handled / burst.posted).toFixed(1)} | ${(c.runs / burst.posted).toFixed(2)} | ${c.runs ? (c.inRuns / c.runs).toFixed(1) : '-'} | ${c.singly} |`;
    }),
    ``,
    burst.peakSinceStart || steady?.peakSinceStart
      ? `Peak RSS is each process's peak since it started (this kernel refused to reset the high-water mark).`
      : `Peak RSS is the kernel's high-water mark (VmHWM) over each phase alone, reset at the phase's start.`,
    ``,
    `## Against the limit (same broker, same run)`,
    ``,
    `| measure | rate | the hub's burst as a share |`,
    `| --- | --- | --- |`,
    `| Kafka ProducerPerformance, 1 KiB, acks=all | ${limits.producerPerSec.toFixed(0)} records/s | ${((hubHandlings / limits.producerPerSec) * 100).toFixed(2)}% (${handlingsPerContact} messages per contact) |`,
    `| Kafka ConsumerPerformance | ${limits.consumerPerSec.toFixed(0)} records/s | ${((hubHandlings / limits.consumerPerSec) * 100).toFixed(2)}% |`,
    `| bare chain through our port, ${handlingsPerContact} handlings per contact, no database | ${chain.contactsPerSec.toFixed(1)} contacts/s (${chain.handlingsPerSec.toFixed(0)} handlings/s) | ${((b.toReady / chain.contactsPerSec) * 100).toFixed(1)}% |`,
    ``,
    `Kafka's tools printed: \`${limits.raw.join('` / `')}\``,
    ``,
  ];
  const table = lines.join('\n');
  process.stdout.write(`\n${table}\n`);
  writeFileSync(args.out, table);
  process.stdout.write(`written to ${args.out}\n`);
}

main().then(
  () => process.exit(0),
  (err) => {
    process.stderr.write(`bench:e2e failed: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
