/**
 * Decision-to-notice latency through the real notifier process and Kafka, beside the pure
 * composition baseline (bench/notifierCompose.ts) in the same run.
 *
 *   npm run bench:notifier        (builds, then runs dist/bench/notifierLatency.js)
 *
 * Starts one notifier with its own database and topic prefix, gives it BENCH_CASES cases (contact,
 * start rating, readiness; a police referrer on its topic channel plus two contributors), waits for
 * the acknowledgements, then publishes the decisions at BENCH_RATE per second. Latency is from the
 * decision envelope's occurredAt to the outcome notice arriving on mash.notice.police.issued.v1,
 * and to its receipt on mash.notice.delivered.v1, as a consumer sees them. Same machine, one clock.
 * Env: KAFKA_BROKERS, DATABASE_URL (an admin URL; a bench database is created and dropped),
 * BENCH_CASES (default 200), BENCH_RATE (default 10; about 20/s is where a queue starts to build on 2 cores), BENCH_SECONDS (baseline, default 1).
 */
import { DEMO_METRICS_TOKEN } from '@mash/platform';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import {
  CaseRated,
  CaseReady,
  ContactReceived,
  DecisionOutcome,
  Envelope,
  NoticeDelivered,
  NoticeIssued,
  noticeIssuedTopic,
  TOPICS,
} from '@mash/contracts';
import { validExamples } from '@mash/contracts/examples';
import { envelopeFor, KafkaPort, kafkaCredentialsFromEnv } from '@mash/messaging';
import { CHRONOLOGY, CONTACT, decisionFixture } from '../apps/notifier/src/outcomeNotice/fixtures';
import { OUTCOME_ORDER } from '../apps/notifier/src/outcomeNotice/outcomeText';
import { startDeployable, waitForHttp } from '../scripts/processes';

const CASES = Number(process.env.BENCH_CASES ?? 200);
const RATE = Number(process.env.BENCH_RATE ?? 10);
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const root = join(__dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function summary(name: string, ms: number[], expected: number) {
  const s = [...ms].sort((a, b) => a - b);
  return {
    bench: name,
    n: s.length,
    expected,
    p50Ms: +quantile(s, 0.5).toFixed(1),
    p90Ms: +quantile(s, 0.9).toFixed(1),
    p99Ms: +quantile(s, 0.99).toFixed(1),
    maxMs: +(s.at(-1) ?? NaN).toFixed(1),
    meanMs: +(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)).toFixed(1),
  };
}

async function main(): Promise<void> {
  // The baseline first, while the machine is quiet: what composing alone costs.
  process.stdout.write('# baseline: pure composition (bench/notifierCompose.ts)\n');
  execFileSync(process.execPath, [join(root, 'scripts', 'launch.js'), 'bench/notifierCompose'], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_SECONDS: process.env.BENCH_SECONDS ?? '1' },
  });

  const runId = `bench${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const prefix = `${runId}.`;
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/mash_${runId}`;
  const httpPort = await freePort();
  const env = {
    ...process.env,
    KAFKA_BROKERS: brokers,
    DATABASE_URL: dbUrl.toString(),
    MASH_TOPIC_PREFIX: prefix,
    NOTIFIER_PORT: String(httpPort),
    LOG_LEVEL: 'warn',
  };
  const notifier = startDeployable({ name: 'notifier', entry: 'apps/notifier/src/main' }, join(root, '.run', 'bench-logs', runId), env);
  // On an authenticated broker the benchmark and its notifier run as whoever KAFKA_SASL_USERNAME names (admin).
  const sasl = kafkaCredentialsFromEnv(process.env);
  const kafka = new Kafka({
    clientId: 'bench-watcher',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    ...(sasl ? { sasl } : {}),
  });
  const consumer = kafka.consumer({ groupId: `${prefix}bench-watcher`, maxWaitTimeInMs: 50 });
  const port = new KafkaPort({ brokers: brokers.split(','), clientId: 'bench-publisher', prefix });
  try {
    await waitForHttp(`http://127.0.0.1:${httpPort}/health/ready`, 90000, notifier);

    const decidedAt = new Map<string, number>();
    const noticeMs: number[] = [];
    const receiptMs: number[] = [];
    const acks = new Set<string>();
    await consumer.connect();
    await consumer.subscribe({ topics: [prefix + noticeIssuedTopic('police'), prefix + TOPICS.noticeDelivered], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const arrived = Date.now();
        const e = JSON.parse(message.value!.toString()) as Envelope<NoticeIssued | NoticeDelivered>;
        if (e.data.kind === 'acknowledgement') acks.add(e.data.caseId);
        if (e.data.kind !== 'outcome') return;
        const at = decidedAt.get(e.data.caseId);
        if (at === undefined) return;
        (topic.endsWith(TOPICS.noticeDelivered) ? receiptMs : noticeMs).push(arrived - at);
      },
    });

    const referrer = {
      name: 'PC Jane Walker',
      role: 'Officer in the case',
      organisation: 'Example Constabulary',
      source: '6' as const,
      channel: { kind: 'topic' as const },
    };
    for (let i = 0; i < CASES; i += 50) {
      const batch = [];
      for (let j = i; j < Math.min(CASES, i + 50); j++) {
        const caseId = `BCASE-${j}`;
        const contactId = `BCON-${j}`;
        const contact: ContactReceived = {
          contactId,
          receivedAt: new Date().toISOString(),
          sourceAgency: 'police',
          contact: { ...CONTACT, agencyReference: `BREF-${j}`, referrer },
        };
        const rated: CaseRated = { ...validExamples.caseRated, caseId, contactId, ratedAt: new Date().toISOString() };
        const ready: CaseReady = {
          caseId,
          readyAt: new Date().toISOString(),
          complete: true,
          replied: ['health', 'education'],
          missing: [],
          chronology: CHRONOLOGY.filter((c) => c.agency === 'health' || c.agency === 'education'),
        };
        batch.push(
          { topic: TOPICS.contactReceived, key: contactId, data: contact as unknown },
          { topic: TOPICS.caseRated, key: caseId, data: rated },
          { topic: TOPICS.caseReady, key: caseId, data: ready },
        );
      }
      await port.publish(batch);
    }
    const warmDeadline = Date.now() + 120000;
    while (acks.size < CASES && Date.now() < warmDeadline) await sleep(100);
    if (acks.size < CASES) throw new Error(`only ${acks.size} of ${CASES} acknowledgements arrived`);

    // Paced, not all at once: the figure is latency at a steady rate, not a queue draining.
    const started = Date.now();
    for (let j = 0; j < CASES; j++) {
      const due = started + (j * 1000) / RATE;
      if (due > Date.now()) await sleep(due - Date.now());
      const caseId = `BCASE-${j}`;
      const outcomes: DecisionOutcome[] = [OUTCOME_ORDER[j % OUTCOME_ORDER.length]!];
      const decision = envelopeFor(
        {
          topic: TOPICS.decisionRecorded,
          key: caseId,
          data: decisionFixture({ decisionId: `BDEC-${j}`, caseId, contactId: `BCON-${j}`, outcomes, decidedAt: new Date().toISOString() }),
        },
        'gateway',
      );
      decidedAt.set(caseId, Date.parse(decision.occurredAt));
      await port.sendRaw([{ topic: decision.type, key: decision.key, value: JSON.stringify(decision) }]);
    }
    const deadline = Date.now() + 60000;
    while ((noticeMs.length < CASES || receiptMs.length < CASES) && Date.now() < deadline) await sleep(100);

    process.stdout.write(
      `# decision to notice through the notifier process and Kafka: ${CASES} decisions at ${RATE}/s, ${cpus().length} cores\n`,
    );
    console.log(JSON.stringify(summary('decision-to-outcome-notice-on-topic', noticeMs, CASES)));
    console.log(JSON.stringify(summary('decision-to-delivery-receipt', receiptMs, CASES)));
    // Where the time goes: the decision handler's own transaction, as the notifier measures it.
    const metrics = await (
      await fetch(`http://127.0.0.1:${httpPort}/metrics`, { headers: { authorization: `Bearer ${DEMO_METRICS_TOKEN}` } })
    ).text();
    const value = (name: string) =>
      Number(
        metrics
          .split('\n')
          .find((l) => l.startsWith(`${name}{`) && l.includes(`topic="${TOPICS.decisionRecorded}"`))
          ?.split(' ')
          .pop() ?? NaN,
      );
    const count = value('mash_message_handle_seconds_count');
    console.log(
      JSON.stringify({
        bench: 'decision-handler-transaction',
        n: count,
        meanMs: +((value('mash_message_handle_seconds_sum') / count) * 1000).toFixed(1),
      }),
    );
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await port.close();
    await notifier.stop();
    const pg = new Client({ connectionString: adminUrl });
    await pg.connect();
    await pg.query(`DROP DATABASE IF EXISTS "mash_${runId}" WITH (FORCE)`).finally(() => pg.end());
    const admin = kafka.admin();
    await admin.connect();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length) await admin.deleteTopics({ topics: mine });
    await admin.deleteGroups([`${prefix}notifier`, `${prefix}bench-watcher`]).catch(() => undefined);
    await admin.disconnect();
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).message}\n`);
  process.exit(1);
});
