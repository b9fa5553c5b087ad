import { DataSource } from 'typeorm';
import { TOPICS } from '@mash/contracts';
import { validExamples } from '@mash/contracts/examples';
import { envelopeFor } from './envelopes';
import { NotReadyYet, WouldWait } from './errors';
import { KafkaPort } from './kafkaPort';
import { messagingMetrics } from './metrics';
import { Outbox } from './outbox';
import { outboxValueText } from './outbox.repository';
import { startTracing, stopTracing } from './tracing';
import { MessagingHarness, openMessagingHarness } from './messagingHarness.fixtures';
import { MashKafkaTransport, MessageContext } from './transport';

/**
 * Runs of messages handled in one transaction (transport.ts handleMany), on real Kafka and
 * Postgres: every message once and in partition order, whatever fails in the middle of a run.
 * The handlers write rows in the handler's transaction, so "once" is counted in the database.
 */

const schema = 'runtest';
let h: MessagingHarness;
let ds: DataSource;
let port: KafkaPort;
let outbox: Outbox;
const stops: (() => Promise<void>)[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(fn: () => Promise<T | undefined>, ms = 60000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v !== undefined) return v;
    await sleep(100);
  }
  throw new Error('timed out');
}

beforeAll(async () => {
  // Traces are made only with a tracer provider, as every service starts one (startTracing).
  startTracing('runtest');
  h = await openMessagingHarness({ letter: 'r', schema, clientId: 'runtest' });
  ({ ds, port, outbox } = h);
  await ds.query(
    `CREATE TABLE ${schema}.handled (seq bigserial PRIMARY KEY, consumer text NOT NULL, message_id text NOT NULL, n int NOT NULL)`,
  );
}, 60000);

afterAll(async () => {
  await h?.close(stops);
  await stopTracing();
}, 60000);

/**
 * A transport for one consumer group with one handler on case.rated, as a service has. Every test
 * uses the one topic with a case of its own; a consumer handles only its own test's case.
 */
async function serve(
  consumer: string,
  caseId: string,
  handler: (n: number, id: string, ctx: MessageContext) => Promise<void>,
): Promise<void> {
  const transport = new MashKafkaTransport(port, outbox, ds, { service: consumer, schema });
  transport.addHandler(
    TOPICS.caseRated,
    async (data: { caseId: string; revision?: number }, ctx: MessageContext) => {
      if (data.caseId !== caseId) return;
      const n = data.revision ?? 0;
      await handler(n, ctx.envelope.id, ctx);
      await ctx.manager.query(`INSERT INTO ${schema}.handled (consumer, message_id, n) VALUES ($1, $2, $3)`, [
        consumer,
        ctx.envelope.id,
        n,
      ]);
    },
    true,
  );
  await new Promise<void>((resolve, reject) => transport.listen((err?: unknown) => (err ? reject(err) : resolve())));
  stops.push(() => transport.close());
}

/** `count` ratings of one case (so one partition), numbered in `revision`, in one produce. */
function ratings(caseId: string, count: number) {
  return Array.from({ length: count }, (_, i) =>
    envelopeFor({ topic: TOPICS.caseRated, key: caseId, data: { ...validExamples.caseRated, caseId, revision: i + 1 } }, 'runtest'),
  );
}

async function handledBy(consumer: string): Promise<number[]> {
  const rows: { n: number }[] = await ds.query(`SELECT n FROM ${schema}.handled WHERE consumer = $1 ORDER BY seq`, [consumer]);
  return rows.map((r) => r.n);
}

const failedRuns = async () =>
  (await messagingMetrics.runsHandledSingly.get()).values
    .filter((v) => v.labels.topic === TOPICS.caseRated)
    .reduce((n, v) => n + v.value, 0);
const runCount = async () => (await messagingMetrics.runs.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
const runSum = async () => (await messagingMetrics.runs.get()).values.find((v) => v.metricName?.endsWith('_sum'))?.value ?? 0;

it('handles a backlog of one partition in runs, every message once and in order', async () => {
  const caseId = `CS-${h.runId}-backlog`;
  const envs = ratings(caseId, 300);
  await port.sendRaw(envs.map((e) => ({ topic: TOPICS.caseRated, key: e.key, value: JSON.stringify(e) })));
  const [runsBefore, sumBefore] = [await runCount(), await runSum()];
  await serve('backlog', caseId, async () => undefined);
  const seen = await until(async () => ((await handledBy('backlog')).length >= 300 ? handledBy('backlog') : undefined));
  await sleep(500);
  expect(await handledBy('backlog')).toEqual(envs.map((_, i) => i + 1));
  // The backlog went through in fewer transactions than messages.
  const runs = (await runCount()) - runsBefore;
  expect((await runSum()) - sumBefore).toBe(300);
  expect(runs).toBeLessThan(300 / 5);
  expect(seen).toHaveLength(300);
}, 90000);

it('takes a message that is not ready out of its run: the rest are handled once, in order, in runs, and it follows when ready', async () => {
  const caseId = `CS-${h.runId}-early`;
  const envs = ratings(caseId, 40);
  const ready = new Set<number>();
  const attempts = new Map<number, number>();
  // Messages handled where they may wait: first in a run, or alone on the single path.
  const firstOrAlone = new Set<number>();
  await serve('early', caseId, async (n, _id, ctx) => {
    attempts.set(n, (attempts.get(n) ?? 0) + 1);
    if (ctx.mayWait) firstOrAlone.add(n);
    if (n === 17 && !ready.has(17)) throw new NotReadyYet('what message 17 builds on has not arrived');
  });
  const failedBefore = await failedRuns();
  await port.sendRaw(envs.map((e) => ({ topic: TOPICS.caseRated, key: e.key, value: JSON.stringify(e) })));
  await until(async () => ((await handledBy('early')).length >= 39 ? true : undefined));
  expect(await handledBy('early')).toEqual(envs.map((_, i) => i + 1).filter((n) => n !== 17));
  ready.add(17);
  await until(async () => ((await handledBy('early')).includes(17) ? true : undefined));
  await sleep(500);
  const rows = await handledBy('early');
  expect([...rows].sort((a, b) => a - b)).toEqual(envs.map((_, i) => i + 1));
  // Messages around 17 in its run were handled in the rolled-back run and again: their rows once.
  expect(rows).toHaveLength(40);
  expect(attempts.get(17)).toBeGreaterThan(1);
  // Only 17 went the single way: the others were handled again in runs, not each alone, and 17
  // went alone straight away, not first in another run that failed on it again.
  expect(firstOrAlone.has(17)).toBe(true);
  expect(firstOrAlone.size).toBeLessThan(8);
  expect((await failedRuns()) - failedBefore).toBe(1);
}, 90000);

it('handles a run whose messages all fail one at a time after a few failed runs, not one failed run per message', async () => {
  const caseId = `CS-${h.runId}-allearly`;
  const envs = ratings(caseId, 30);
  let released = false;
  await serve('allearly', caseId, async () => {
    if (!released) throw new NotReadyYet('nothing has arrived yet');
  });
  const failedBefore = await failedRuns();
  await port.sendRaw(envs.map((e) => ({ topic: TOPICS.caseRated, key: e.key, value: JSON.stringify(e) })));
  // All 30 set aside (each alone, the single path's rule for a message not ready), then released.
  await until(async () =>
    (await ds.query(`SELECT count(*)::int AS n FROM ${schema}.deferred_messages WHERE consumer = 'allearly'`))[0].n >= 30
      ? true
      : undefined,
  );
  released = true;
  await until(async () => ((await handledBy('allearly')).length >= 30 ? true : undefined));
  await sleep(500);
  expect([...(await handledBy('allearly'))].sort((a, b) => a - b)).toEqual(envs.map((_, i) => i + 1));
  // A failed run costs a transaction rolled back: a few, not one per message.
  expect((await failedRuns()) - failedBefore).toBeLessThanOrEqual(3);
}, 90000);

it('handles a message delivered twice in one run once', async () => {
  const caseId = `CS-${h.runId}-twice`;
  const envs = ratings(caseId, 10);
  const records = envs.map((e) => ({ topic: TOPICS.caseRated, key: e.key, value: JSON.stringify(e) }));
  // The fourth message twice, next to itself, as a producer retry can leave it.
  await port.sendRaw([...records.slice(0, 4), records[3], ...records.slice(4)]);
  await serve('twice', caseId, async () => undefined);
  await until(async () => ((await handledBy('twice')).length >= 10 ? true : undefined));
  await sleep(1000);
  expect(await handledBy('twice')).toEqual(envs.map((_, i) => i + 1));
}, 90000);

it('loses and repeats nothing when the database goes away in the middle of a run', async () => {
  const caseId = `CS-${h.runId}-outage`;
  const envs = ratings(caseId, 60);
  let failures = 0;
  await serve('outage', caseId, async (n) => {
    // Message 30 finds Postgres restarting, twice: the run is rolled back and fetched again.
    if (n === 30 && failures < 2) {
      failures++;
      throw Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    }
  });
  await port.sendRaw(envs.map((e) => ({ topic: TOPICS.caseRated, key: e.key, value: JSON.stringify(e) })));
  await until(async () => ((await handledBy('outage')).length >= 60 ? true : undefined), 90000);
  await sleep(1000);
  expect(await handledBy('outage')).toEqual(envs.map((_, i) => i + 1));
  expect(failures).toBe(2);
}, 120000);

it('publishes what the handlers of a run write to the outbox, once each, each in the trace of its own message', async () => {
  const caseId = `CS-${h.runId}-publish`;
  const envs = ratings(caseId, 25);
  // Message n arrives in trace n (32 hex digits), as a producer's traceparent header carries it.
  const traceOf = (n: number) =>
    `${h.runId
      .replace(/[^0-9a-f]/g, '0')
      .padEnd(24, '0')
      .slice(0, 24)}${n.toString(16).padStart(8, '0')}`;
  const chased = new Set<string>();
  const sub = await port.subscribe({
    group: 'publish-reader',
    topics: [TOPICS.checkChased],
    handle: async (m) => void chased.add((m.envelope.data as { requestId: string }).requestId),
  });
  stops.push(() => sub.stop());
  // A backlog first, so the handlers run in runs.
  await port.sendRaw(
    envs.map((e, i) => ({
      topic: TOPICS.caseRated,
      key: e.key,
      value: JSON.stringify(e),
      traceparent: `00-${traceOf(i + 1)}-${'1'.repeat(16)}-01`,
    })),
  );
  await serve('publisher', caseId, async (n, _id, ctx) => {
    await ctx.publish({
      topic: TOPICS.checkChased,
      key: `CS-${h.runId}-publish`,
      data: { ...validExamples.checkChased, requestId: `RQ-${h.runId}-${n}` },
    });
  });
  outbox.start();
  await until(async () => (chased.size >= 25 ? true : undefined));
  const rows: { value: unknown; traceparent: string | null }[] = await ds.query(
    `SELECT value, traceparent FROM ${schema}.outbox WHERE topic = $1`,
    [TOPICS.checkChased],
  );
  expect(rows).toHaveLength(25);
  expect([...chased].sort()).toEqual(envs.map((_, i) => `RQ-${h.runId}-${i + 1}`).sort());
  // Each event continues the trace of the message whose handler wrote it, not the run's first.
  const traced = rows.map((r) => {
    const n = Number((JSON.parse(outboxValueText(r.value)) as { data: { requestId: string } }).data.requestId.split('-').pop());
    return { n, trace: r.traceparent?.split('-')[1] };
  });
  expect(traced.filter((t) => t.trace !== traceOf(t.n))).toEqual([]);
}, 90000);

it('a message whose handler would wait, and the later ones of its key, start the next run after the rest commit', async () => {
  const caseId = `CS-${h.runId}-split`;
  const envs = ratings(caseId, 60);
  const firstOfRun = new Set<number>();
  await serve('splitter', caseId, async (n, _id, ctx) => {
    // Messages 5, 15, 25... need something another transaction holds: inside a run they step out.
    if (n % 10 === 5 && !ctx.mayWait) throw new WouldWait('would wait');
    if (ctx.mayWait) firstOfRun.add(n);
  });
  await port.sendRaw(envs.map((e) => ({ topic: TOPICS.caseRated, key: e.key, value: JSON.stringify(e) })));
  await until(async () => ((await handledBy('splitter')).length >= 60 ? true : undefined));
  await sleep(500);
  expect(await handledBy('splitter')).toEqual(envs.map((_, i) => i + 1));
  // Each of them was handled as the first message of a run, where it may wait.
  for (const n of [5, 15, 25, 35, 45, 55]) expect(firstOfRun.has(n)).toBe(true);
  // ...and the split did not send the run to the slow path, one message at a time.
  expect(firstOfRun.size).toBeLessThan(30);
}, 90000);

/**
 * `count` ratings of one case in one partition (Kafka key: the case), each under an envelope key of
 * its own unless `keyOf` gives it another message's: the transport keeps order per envelope key.
 */
function keyedRatings(caseId: string, count: number, keyOf: (n: number) => number = (n) => n) {
  return Array.from({ length: count }, (_, i) =>
    envelopeFor(
      { topic: TOPICS.caseRated, key: `${caseId}-K${keyOf(i + 1)}`, data: { ...validExamples.caseRated, caseId, revision: i + 1 } },
      'runtest',
    ),
  );
}

/**
 * Waits until `consumer` has read its partition up to now: a new group starts from the beginning,
 * and messages sent while it catches up would be cut into runs wherever its fetches end. A message
 * numbered SYNC goes first; once it is handled, the test's messages come in one fetch, one run.
 */
async function caughtUp(consumer: string, caseId: string): Promise<void> {
  const [sync] = keyedRatings(caseId, 1);
  const marker = { ...sync, data: { ...sync.data, revision: SYNC } };
  await port.sendRaw([{ topic: TOPICS.caseRated, key: caseId, value: JSON.stringify(marker) }]);
  await until(async () => ((await handledBy(consumer)).includes(SYNC) ? true : undefined));
}

const SYNC = 999;

/** The test's messages as handled, in the order handled (the SYNC message left out). */
const handledInOrder = async (consumer: string) => (await handledBy(consumer)).filter((n) => n !== SYNC);

it('sets a message whose handler would wait aside to the end of its run, with the later ones of its key, and the rest go on', async () => {
  const caseId = `CS-${h.runId}-aside`;
  // 7 and 9 share message 5's key; every other message has its own.
  const envs = keyedRatings(caseId, 30, (n) => (n === 7 || n === 9 ? 5 : n));
  const firstOfRun = new Set<number>();
  await serve('aside', caseId, async (n, _id, ctx) => {
    if (n === 5 && !ctx.mayWait) throw new WouldWait('would wait');
    if (ctx.mayWait) firstOfRun.add(n);
  });
  await caughtUp('aside', caseId);
  // What this consumer's runs were given: a message handled after 5 comes again only if the
  // offset went back behind it.
  const runs = jest.spyOn(MashKafkaTransport.prototype as unknown as { handleMany: (...a: unknown[]) => Promise<number[]> }, 'handleMany');
  await port.sendRaw(envs.map((e) => ({ topic: TOPICS.caseRated, key: caseId, value: JSON.stringify(e) })));
  await until(async () => ((await handledInOrder('aside')).length >= 30 ? true : undefined));
  await sleep(1500);
  const given = new Map<string, number>();
  runs.mock.calls.forEach((args, k) => {
    if ((runs.mock.contexts[k] as { options: { service: string } }).options.service !== 'aside') return;
    for (const m of args[1] as { envelope: { id: string } }[]) given.set(m.envelope.id, (given.get(m.envelope.id) ?? 0) + 1);
  });
  runs.mockRestore();
  // Only 5 and the two of its key went to a second run; the others, handled in the first, never came again.
  expect(envs.filter((e, i) => ![5, 7, 9].includes(i + 1) && given.get(e.id) !== 1).map((e) => e.data.revision)).toEqual([]);
  const order = await handledInOrder('aside');
  expect([...order].sort((a, b) => a - b)).toEqual(envs.map((_, i) => i + 1));
  const at = (n: number) => order.indexOf(n);
  // The messages after 5 with keys of their own did not wait for it...
  for (const n of [6, 8, 10, 30]) expect(at(n)).toBeLessThan(at(5));
  // ...those of its key did, in their order...
  expect(at(5)).toBeLessThan(at(7));
  expect(at(7)).toBeLessThan(at(9));
  // ...and 5, still held at the run's end, started the next run, where it may wait.
  expect(firstOfRun.has(5)).toBe(true);
}, 90000);

it('tries a message set aside again at the end of its run: a lock released meanwhile costs no second run', async () => {
  const caseId = `CS-${h.runId}-retry`;
  const envs = keyedRatings(caseId, 12);
  const firstOfRun = new Set<number>();
  let released = false;
  await serve('retry', caseId, async (n, _id, ctx) => {
    if (ctx.mayWait) firstOfRun.add(n);
    // Message 5's lock is held by another transaction until message 8 has been handled.
    if (n === 5 && !released && !ctx.mayWait) throw new WouldWait('would wait');
    if (n === 8) released = true;
  });
  await caughtUp('retry', caseId);
  await port.sendRaw(envs.map((e) => ({ topic: TOPICS.caseRated, key: caseId, value: JSON.stringify(e) })));
  await until(async () => ((await handledInOrder('retry')).length >= 12 ? true : undefined));
  await sleep(500);
  const order = await handledInOrder('retry');
  expect([...order].sort((a, b) => a - b)).toEqual(envs.map((_, i) => i + 1));
  expect(order.indexOf(8)).toBeLessThan(order.indexOf(5));
  // 5 went in the run it came in, after the others: it never had to start a run of its own.
  expect(firstOfRun.has(5)).toBe(false);
}, 90000);

it('sets a message not ready that wrote nothing aside in its run: the others are kept, not rolled back, and it follows once ready', async () => {
  const caseId = `CS-${h.runId}-early-aside`;
  const envs = keyedRatings(caseId, 40);
  let ready = false;
  const firstOrAlone = new Set<number>();
  await serve('earlyaside', caseId, async (n, _id, ctx) => {
    if (ctx.mayWait) firstOrAlone.add(n);
    // What 17 builds on arrives while message 30 is handled, as a rating catches up with its readiness.
    if (n === 17 && !ready) throw new NotReadyYet('what message 17 builds on has not arrived', { wroteNothing: true });
    if (n === 30) ready = true;
  });
  await caughtUp('earlyaside', caseId);
  const failedBefore = await failedRuns();
  await port.sendRaw(envs.map((e) => ({ topic: TOPICS.caseRated, key: caseId, value: JSON.stringify(e) })));
  await until(async () => ((await handledInOrder('earlyaside')).length >= 40 ? true : undefined));
  await sleep(500);
  const order = await handledInOrder('earlyaside');
  expect([...order].sort((a, b) => a - b)).toEqual(envs.map((_, i) => i + 1));
  expect(order.indexOf(30)).toBeLessThan(order.indexOf(17));
  // No run was rolled back for it, and it never went alone or first in a run of its own.
  expect((await failedRuns()) - failedBefore).toBe(0);
  expect(firstOrAlone.has(17)).toBe(false);
}, 90000);

it('relays after a transaction only if it wrote events: runs that wrote none start no relay', async () => {
  // Its poll comes once an hour: only a nudge after a commit makes it relay in this test.
  const quiet = new Outbox(ds, port, schema, 'runtest', 3_600_000);
  quiet.start();
  stops.push(() => quiet.stop());
  const relays = jest.spyOn(quiet, 'relay');
  const caseId = `CS-${h.runId}-quiet`;
  const transport = new MashKafkaTransport(port, quiet, ds, { service: 'quiet', schema });
  transport.addHandler(
    TOPICS.caseRated,
    async (data: { caseId: string; revision?: number }, ctx: MessageContext) => {
      if (data.caseId !== caseId) return;
      if (data.revision === 21)
        await ctx.publish({ topic: TOPICS.caseReady, key: `${caseId}-out`, data: { ...validExamples.caseReady, caseId: `${caseId}-out` } });
      await ctx.manager.query(`INSERT INTO ${schema}.handled (consumer, message_id, n) VALUES ('quiet', $1, $2)`, [
        ctx.envelope.id,
        data.revision ?? 0,
      ]);
    },
    true,
  );
  await new Promise<void>((resolve, reject) => transport.listen((err?: unknown) => (err ? reject(err) : resolve())));
  stops.push(() => transport.close());

  const envs = ratings(caseId, 21);
  await port.sendRaw(envs.slice(0, 20).map((e) => ({ topic: TOPICS.caseRated, key: e.key, value: JSON.stringify(e) })));
  await until(async () => ((await handledBy('quiet')).length >= 20 ? true : undefined));
  await sleep(300);
  expect(relays).not.toHaveBeenCalled();

  await port.sendRaw([{ topic: TOPICS.caseRated, key: caseId, value: JSON.stringify(envs[20]) }]);
  await until(async () => (relays.mock.calls.length > 0 ? true : undefined), 20000);
  expect(await handledBy('quiet')).toEqual(envs.map((_, i) => i + 1));
}, 90000);
