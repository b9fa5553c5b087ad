import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { SubmittingAgency, TOPIC_DEFINITIONS, TOPICS } from '@mash/contracts';
import { KafkaPort } from '@mash/messaging';
import { httpJson, postContacts } from '../../scripts/load/drive';
import { describeMix, generateContacts } from '../../scripts/load/generate';
import { prng } from '@mash/contracts/examples/seededRandom';
import { SERVICES, startTestHub, TEST_TOKENS, TestHub } from '../support/hub';
import { PrivateKafka, PrivatePostgres } from './privateInfra';
import { readAll, redeliverAll } from './redeliver';
import { ReplyBot } from './replyBot';
import { CheckResult, effectCounts, selfTest, unhandledMessages, verify } from './verify';

/**
 * The fault suite: contacts flow through the four real services (real processes, a real broker,
 * a real Postgres, both private to this suite) while it kills -9 each service at seeded moments
 * and restarts it, kills and restarts the broker, crashes and restarts Postgres, redelivers every
 * message already sent, and delivers connector replies in every order and in one millisecond.
 * Afterwards every contact must have reached its right end state exactly once, read from each
 * service's own tables (see verify.ts). It prints what it injected and what it checked.
 *
 *   npm run test:faults                      full form
 *   FAULTS_MODE=short npm run test:faults    the short form `.ci/run` uses (a few minutes)
 *   FAULTS_SEED=n, FAULTS_CONTACTS=n, FAULTS_RATE=r override the form's defaults
 */

const MODE = process.env.FAULTS_MODE === 'short' ? 'short' : 'full';
// Each form: contacts posted at `rate` per second, and how often each fault is injected in that window.
const FORM =
  MODE === 'short'
    ? { contacts: 60, rate: 1, redDeadlineHours: 0.025, serviceKills: 1, brokerKills: 1, postgresCrashes: 1, redeliveries: 1 }
    : { contacts: 300, rate: 2, redDeadlineHours: 0.04, serviceKills: 2, brokerKills: 2, postgresCrashes: 1, redeliveries: 2 };
const SEED = Number(process.env.FAULTS_SEED ?? 20261130);
const CONTACTS = Number(process.env.FAULTS_CONTACTS ?? FORM.contacts);
const RATE = Number(process.env.FAULTS_RATE ?? FORM.rate);

const out = (s: string) => process.stdout.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Injection {
  at: number;
  what: string;
  detail: string;
  tookMs: number;
}

/** One short-lived connection per use: the suite crashes Postgres, so no connection is kept. */
async function withPg<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * The London policy with short clocks: Red cases are due in about a minute and a half, so the
 * timers of the silent agency the suite leaves on every Red case fire during the run; Amber and
 * Green get three hours, so no deadline can make one of them ready and hide a stranded case.
 */
function faultPolicy(dir: string, redHours: number): string {
  const policy = JSON.parse(readFileSync(join(__dirname, '..', '..', 'policies', 'london.json'), 'utf8'));
  policy.version = `faults-${redHours}`;
  for (const r of ['RED', 'AMBER', 'GREEN']) {
    policy.ratings[r].timescale = { amount: r === 'RED' ? redHours : 3, unit: 'hours' };
    policy.ratings[r].clockRunsOutOfHours = true;
  }
  const path = join(dir, 'policy.json');
  writeFileSync(path, JSON.stringify(policy, null, 2));
  return path;
}

describe(`fault suite (${MODE}: ${CONTACTS} contacts at ${RATE}/s, seed ${SEED})`, () => {
  const dir = join(tmpdir(), `mash-faults-${process.pid}-${Date.now().toString(36)}`);
  let pgServer: PrivatePostgres;
  let kafka: PrivateKafka;
  let hub: TestHub;
  let port: KafkaPort;
  let bot: ReplyBot;
  let dbUrl: string;
  const injections: Injection[] = [];

  const stderrWrite = process.stderr.write.bind(process.stderr);

  beforeAll(async () => {
    mkdirSync(dir, { recursive: true });
    // The suite's own Kafka client logs every refused connection while the broker is down: those
    // lines go to a file beside the services' logs, so the report stays readable.
    const clientLog = join(__dirname, '..', '..', '.run', 'test-logs', `fault-suite-${process.pid}.log`);
    mkdirSync(join(clientLog, '..'), { recursive: true });
    process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (typeof chunk === 'string' && chunk.startsWith('{"t":')) {
        appendFileSync(clientLog, chunk);
        return true;
      }
      return (stderrWrite as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stderr.write;
    pgServer = await PrivatePostgres.create(dir);
    kafka = await PrivateKafka.create(dir);
    const t0 = Date.now();
    await Promise.all([pgServer.init(), kafka.start()]);
    out(`fault suite: private Postgres on ${pgServer.port}, private broker on ${kafka.port} (data in ${dir}), up in ${Date.now() - t0} ms`);
    // The hub helper reads these: every service of this run talks to the private servers only.
    process.env.DATABASE_URL = pgServer.adminUrl;
    process.env.KAFKA_BROKERS = kafka.brokers;
    hub = await startTestHub([], {
      MASH_POLICY: faultPolicy(dir, FORM.redDeadlineHours),
      MASH_RATE_LIMIT_PER_SEC: '100000',
      MASH_RATE_LIMIT_BURST: '100000',
    });
    const u = new URL(pgServer.adminUrl);
    u.pathname = `/mash_${hub.runId}`;
    dbUrl = u.toString();
    port = new KafkaPort({ brokers: [kafka.brokers], clientId: 'fault-suite', prefix: hub.env.MASH_TOPIC_PREFIX });
    bot = new ReplyBot(port, SEED);
    await bot.start();
  }, 600_000);

  afterAll(async () => {
    process.stderr.write = stderrWrite;
    await bot?.stop().catch(() => undefined);
    await port?.close().catch(() => undefined);
    await hub?.stop().catch(() => undefined);
    await kafka?.stop();
    await pgServer?.stop();
    pgServer?.remove();
    rmSync(dir, { recursive: true, force: true });
  }, 180_000);

  it('every contact reaches its right end state exactly once through kills, restarts, redelivery and racing replies', async () => {
    // More repeats and other agencies' reports of one incident than a normal day, so joins are
    // exercised, and twice the Red share, so that silent agencies' timers fire in every run.
    const list = generateContacts({
      count: CONTACTS,
      seed: SEED,
      baseTime: new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000),
      tag: hub.runId,
      repeatShare: 0.15,
      duplicateShare: 0.15,
      ratingWeights: { RED: 2.5 },
    });
    const mix = describeMix(list);
    out(`contacts: ${JSON.stringify(mix)}`);
    const tokens = Object.fromEntries(
      (['police', 'health', 'education', 'contact-centre'] as const).map((a) => [a, TEST_TOKENS[a]]),
    ) as Record<SubmittingAgency, string>;
    const rnd = prng(SEED);
    const t0 = Date.now();
    const since = () => Date.now() - t0;

    // The decision maker: decides every case as soon as it is ready, through the gateway's API.
    let deciding = true;
    const decisions = { posted: 0, recorded: 0, refused: {} as Record<string, number> };
    const decider = (async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 4 });
      while (deciding) {
        try {
          const ready = await withPg(dbUrl, (c) =>
            c
              .query(`SELECT case_id, rating FROM gateway.cases WHERE ready AND decision_id IS NULL ORDER BY case_id`)
              .then((r) => r.rows as { case_id: string; rating: string }[]),
          );
          for (const c of ready) {
            decisions.posted++;
            const res = await httpJson(agent, `${hub.gatewayUrl}/v1/cases/${c.case_id}/decision`, 'POST', TEST_TOKENS.manager, {
              decisionMaker: { name: 'Fault Suite', role: 'MASH team manager' },
              outcomes: [c.rating === 'RED' ? 'strategy-discussion' : c.rating === 'AMBER' ? 'early-help' : 'advice'],
              finalRating: c.rating,
              responsibleTeam: { name: 'Example MASH', inHours: '01234 567890', outOfHours: 'Emergency Duty Team 01234 000000' },
            });
            if (res.status === 201) decisions.recorded++;
            else decisions.refused[String(res.status)] = (decisions.refused[String(res.status)] ?? 0) + 1;
          }
        } catch {
          // Postgres or the gateway is being restarted by the suite: look again shortly.
        }
        await sleep(500);
      }
      agent.destroy();
    })();

    // The fault plan, from the seed, inside the posting window. Services are killed independently
    // (two may be down at once); the broker and Postgres faults run alone, since a service that
    // starts while both are away only fails its start-up, which proves nothing.
    const windowMs = (CONTACTS / RATE) * 1000;
    const kinds = [
      ...SERVICES.flatMap((s) => Array.from({ length: FORM.serviceKills }, () => `kill -9 ${s}`)),
      ...Array.from({ length: FORM.brokerKills }, () => 'kill -9 broker'),
      ...Array.from({ length: FORM.postgresCrashes }, () => 'crash postgres'),
      ...Array.from({ length: FORM.redeliveries }, () => 'redeliver'),
    ];
    const plan = kinds.map((what) => ({ what, at: Math.round(windowMs * (0.05 + rnd() * 0.85)) })).sort((a, b) => a.at - b.at);
    out(`fault plan (ms after the first contact): ${plan.map((p) => `${p.what}@${p.at}`).join(', ')}`);

    const inject = async (what: string): Promise<string> => {
      if (what.startsWith('kill -9 ') && (SERVICES as readonly string[]).includes(what.slice(8))) {
        const name = what.slice(8);
        const running = hub.processes.get(name)!;
        const pid = running.child.pid;
        await running.stop('SIGKILL');
        const down = Math.floor(rnd() * 2000);
        await sleep(down);
        await hub.start({ name, entry: `apps/${name}/src/main` });
        return `pid ${pid} killed, down ${down} ms, restarted and ready`;
      }
      if (what === 'kill -9 broker') {
        const pid = await kafka.kill9();
        const down = 1000 + Math.floor(rnd() * 3000);
        await sleep(down);
        await kafka.start();
        return `broker pid ${pid} killed, down ${down} ms, restarted`;
      }
      if (what === 'crash postgres') {
        await pgServer.crash();
        const down = 500 + Math.floor(rnd() * 2000);
        await sleep(down);
        await pgServer.start();
        return `immediate shutdown (no checkpoint), down ${down} ms, restarted with WAL recovery`;
      }
      const r = await redeliverAll(
        port,
        TOPIC_DEFINITIONS.map((d) => d.name).filter((t) => t !== TOPICS.deadLetter),
        `mid${injections.length}`,
      );
      return `${r.total} messages produced again (${Object.entries(r.perTopic)
        .sort()
        .map(([t, n]) => `${t.replace(/^mash\./, '')} ${n}`)
        .join(', ')})`;
    };
    // Infrastructure faults wait for restarts in progress and hold new ones back until they are done.
    const restarting = new Set<Promise<unknown>>();
    let infraFault: Promise<unknown> = Promise.resolve();
    // One service's kills never overlap: a second kill waits until the first restart is ready.
    const lastOf = new Map<string, Promise<unknown>>();
    const injector = (async () => {
      const running: Promise<void>[] = [];
      for (const p of plan) {
        if (p.at > since()) await sleep(p.at - since());
        const exclusive = p.what === 'kill -9 broker' || p.what === 'crash postgres';
        const previous = lastOf.get(p.what) ?? Promise.resolve();
        const job = (async () => {
          if (exclusive) await Promise.all([...restarting]);
          else await Promise.all([infraFault, previous]);
          const started = Date.now();
          const detail = await inject(p.what);
          injections.push({ at: started - t0, what: p.what, detail, tookMs: Date.now() - started });
          out(`  injected @${started - t0} ms: ${p.what}: ${detail} (${Date.now() - started} ms)`);
        })();
        if (exclusive) {
          infraFault = job;
          await job;
        } else {
          restarting.add(job);
          void job.finally(() => restarting.delete(job)).catch(() => undefined);
        }
        lastOf.set(p.what, job);
        running.push(job);
      }
      await Promise.all(running);
    })();

    const posted = await postContacts(list, { gateway: hub.gatewayUrl, tokens, concurrency: 4, rate: RATE });
    out(`front door: ${posted.accepted.length} accepted, ${posted.failed.length} failed, in ${posted.seconds.toFixed(1)} s`);
    expect(posted.failed).toEqual([]);
    await injector;
    const contactIds = new Map(posted.accepted.map((a) => [a.index, a.contactId]));

    // Wait for the end state: every case decided and every referrer's outcome notice written. A
    // stranded case never gets there, so the wait ends once nothing has moved for a while after
    // the last Red deadline could have fired.
    const postedAt = Date.now();
    const finishBy = postedAt + FORM.redDeadlineHours * 3_600_000 + 240_000;
    const settledAfter = postedAt + FORM.redDeadlineHours * 3_600_000 + 15_000;
    let progress = { contacts: 0, decidedContacts: 0, noticed: 0 };
    let lastChange = Date.now();
    while (Date.now() < finishBy) {
      try {
        const now = await withPg(dbUrl, async (c) => {
          const [row] = (
            await c.query(
              `SELECT (SELECT count(*)::int FROM triage.contacts) contacts,
                      (SELECT count(*)::int FROM triage.contacts t JOIN gateway.decisions d USING (case_id)) "decidedContacts",
                      (SELECT count(DISTINCT contact_id)::int FROM notifier.notices WHERE kind = 'outcome') noticed`,
            )
          ).rows;
          return row as typeof progress;
        });
        if (JSON.stringify(now) !== JSON.stringify(progress)) lastChange = Date.now();
        progress = now;
      } catch {
        // schema not there yet, or Postgres restarting
      }
      if (progress.noticed >= CONTACTS) break;
      if (Date.now() > settledAfter && Date.now() - lastChange > 45_000) break;
      await sleep(2000);
    }
    out(`end state after ${since()} ms: ${JSON.stringify(progress)}`);

    // Quiescence: nothing in flight anywhere, then replay every message once more and look again.
    const quiesce = async (): Promise<boolean> => {
      await bot.settle();
      let stable = 0;
      for (let i = 0; stable < 3 && i < 60; i++) {
        const lag = (await Promise.all(SERVICES.map((s) => port.lag(s)))).flat().reduce((n, p) => n + p.lag, 0);
        const unpublished = await withPg(dbUrl, (c) =>
          c
            .query(
              `SELECT (SELECT count(*) FROM gateway.outbox WHERE published_at IS NULL) + (SELECT count(*) FROM triage.outbox WHERE published_at IS NULL) + (SELECT count(*) FROM checks.outbox WHERE published_at IS NULL) + (SELECT count(*) FROM notifier.outbox WHERE published_at IS NULL) AS n`,
            )
            .then((r) => Number(r.rows[0].n)),
        );
        stable = lag === 0 && unpublished === 0 ? stable + 1 : 0;
        await sleep(1000);
      }
      return stable >= 3;
    };
    const quietBefore = await quiesce();
    const results0: CheckResult[] = [];
    deciding = false;
    await decider;
    // Parked messages are work the hub set aside: under faults alone, nothing should be parked.
    const parkedDuringRun = (await readAll(port, [TOPICS.deadLetter], 'deadletters')).map(
      (r) => JSON.parse(r.value).data as { originalTopic: string; consumer: string; reason: string },
    );
    // Before the replay: every message on a topic a service consumes is in that service's inbox,
    // and every request reached the reply bot. A message left out is named here, with where it
    // sat, so "the replay changed something" can be told apart: a message the consumer never
    // handled (its offset passed without it), or one that was only ever sent by the replay.
    const everything = await readAll(
      port,
      TOPIC_DEFINITIONS.map((d) => d.name).filter((t) => t !== TOPICS.deadLetter),
      'inboxes',
    );
    const inboxes = await withPg(dbUrl, (c) => unhandledMessages(c, everything, SERVICES, (id) => bot.hasSeen(id)));
    results0.push({
      name: 'before the final replay, every message on a topic was handled by each service that consumes it',
      checked: inboxes.checked,
      failures: inboxes.failures,
    });
    // The suite's own stand-in connector: a reply it meant to send and never did is its fault, not the hub's.
    results0.push({
      name: 'the reply bot sent every reply it decided to send',
      checked: bot.stats.repliesSent,
      failures: bot.unsent().map((id) => `request ${id}: reply never sent (${bot.stats.sendFailures} failed sends in the run)`),
    });
    const before = await withPg(dbUrl, effectCounts);
    const replay = await redeliverAll(
      port,
      TOPIC_DEFINITIONS.map((d) => d.name).filter((t) => t !== TOPICS.deadLetter),
      'final',
    );
    injections.push({ at: since(), what: 'redeliver (after the end state)', detail: `${replay.total} messages produced again`, tookMs: 0 });
    await sleep(3000);
    const quietAfter = await quiesce();
    out(
      `quiet (no consumer lag, every outbox relayed) before the final replay: ${quietBefore ? 'yes' : 'no'}, after it: ${quietAfter ? 'yes' : 'no'}`,
    );
    const after = await withPg(dbUrl, effectCounts);

    const results: CheckResult[] = [...(await withPg(dbUrl, (c) => verify(c, { list, contactIds, bot: bot.cases }))), ...results0];
    const self = await withPg(dbUrl, (c) => selfTest(c, { list, contactIds, bot: bot.cases }));
    const stages = await withPg(dbUrl, (c) =>
      c
        .query(
          `SELECT stage, count(*)::int n, percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) p99, max(ms) max
           FROM (SELECT h->>'stage' AS stage, min(extract(epoch FROM ((h->>'at')::timestamptz - c.received_at)) * 1000) AS ms
                 FROM gateway.contacts c JOIN gateway.contact_status s USING (contact_id), jsonb_array_elements(s.history) h GROUP BY c.contact_id, h->>'stage') x
           WHERE stage <> 'received' GROUP BY stage ORDER BY p50`,
        )
        .then((r) => r.rows as { stage: string; n: number; p50: number; p99: number; max: number }[]),
    );
    results.push({
      name: 'no message parked in the dead-letter topic during the run',
      checked: parkedDuringRun.length,
      failures: parkedDuringRun.map((d) => `${d.consumer} parked a ${d.originalTopic} message: ${d.reason.slice(0, 200)}`),
    });
    const changed = Object.keys(before)
      .filter((k) => before[k] !== after[k])
      .map((k) => `${k}: ${before[k]} before the replay, ${after[k]} after`);
    results.push({ name: 'a replay of every message changes nothing', checked: Object.keys(before).length, failures: changed });

    // The report: what was injected, what was checked, every breach.
    const strategies = [...bot.cases.values()].reduce(
      (m, c) => ((m[c.strategy] = (m[c.strategy] ?? 0) + 1), m),
      {} as Record<string, number>,
    );
    out('');
    out(`=== fault suite report (${MODE}, seed ${SEED}) ===`);
    out(`injected:`);
    for (const i of injections) out(`  @${String(i.at).padStart(7)} ms  ${i.what.padEnd(32)} ${i.detail}`);
    out(
      `  replies: ${JSON.stringify(bot.stats)}; cases by delivery: ${JSON.stringify(strategies)}; orders used per set of agencies answered one by one: ${JSON.stringify(bot.orderCoverage())}`,
    );
    out(`  silent agencies (Red cases): ${[...bot.cases.values()].filter((c) => c.withheld.length).length} cases`);
    out(`  decisions: ${JSON.stringify(decisions)}`);
    out(`stage times from receipt, under these faults (each contact's own history at the gateway):`);
    for (const st of stages)
      out(
        `  ${st.stage.padEnd(22)} n=${String(st.n).padStart(5)}  p50 ${(st.p50 / 1000).toFixed(1).padStart(6)} s  p99 ${(st.p99 / 1000).toFixed(1).padStart(6)} s  max ${(st.max / 1000).toFixed(1).padStart(6)} s`,
      );
    out(`checked:`);
    for (const r of results) {
      out(
        `  ${r.failures.length ? 'FAIL' : 'ok  '} ${r.name} (${r.checked} checked${r.failures.length ? `, ${r.failures.length} breaches` : ''})`,
      );
      for (const f of r.failures.slice(0, 15)) out(`         - ${f}`);
      if (r.failures.length > 15) out(`         ... and ${r.failures.length - 15} more`);
    }
    out(`self-test (a breach planted in a rolled-back transaction must be named by its check):`);
    for (const t of self) out(`  ${t.caught ? 'caught' : 'MISSED'} ${t.planted} -> ${t.check}`);
    results.push({
      name: 'self-test: every planted breach was caught',
      checked: self.length,
      failures: [
        ...self.filter((t) => !t.caught).map((t) => `missed: ${t.planted}`),
        ...(self.length < 5 ? [`only ${self.length} of 5 breaches could be planted, for: ${self.map((t) => t.check).join('; ')}`] : []),
      ],
    });
    out(`=== end of report ===`);
    expect(
      results.filter((r) => r.failures.length).map((r) => `${r.name}: ${r.failures.length} breaches, first: ${r.failures[0]}`),
    ).toEqual([]);
  }, 3_600_000);
});
