/**
 * How late the checks service's timers fire with 10,000 open cases, and what that costs the
 * database. Runs the service's own firing code (TimersService, PictureService, the outbox relay)
 * against a fresh Postgres database per run; only Kafka is replaced by a counter.
 *
 *   npm run bench:checks     (npm run build && node scripts/launch.js bench/checksTimers)
 *
 * Realistic schedules, time-compressed: ratings Red/Amber/Green ~10/32/58% (Westminster), plans
 * of 2-5 agencies by rating, replies due at policy fractions of the case clock, about a third of
 * agencies already replied, fired history in the table, and a close-of-business burst (30% of
 * Green deadlines at one instant). Every case is open at t0; every pending timer falls due within
 * BENCH_WINDOW_S seconds after it (default 60): about 1,200 timers a second, where a real MASH
 * with 10,000 open cases over days of working time sees well under one a second plus bursts. Two runs on identical schedules: the service as configured (wake at the next due timer,
 * polling at most every 250 ms) against the baseline of the walking skeleton's cadence (a fixed
 * 250 ms poll). Each prints lateness p50/p99/max (fired_at - fire_at, set just before commit)
 * and the database load of an idle phase (cases open, nothing due) and of the firing window.
 *
 * BENCH_CASES (10000), BENCH_WINDOW_S (60), BENCH_IDLE_S (5), BENCH_SEED (42).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource as DataSourceT } from 'typeorm';
import type { CheckAgency, CheckReplied, Rating } from '@mash/contracts';
import { prng } from '@mash/contracts/examples/seededRandom';

process.env.LOG_LEVEL ??= 'warn'; // before the service modules load: one log line per reminder would be the benchmark

const CASES = Number(process.env.BENCH_CASES ?? 10000);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_S ?? 60) * 1000;
const IDLE_MS = Number(process.env.BENCH_IDLE_S ?? 5) * 1000;
const SEED = Number(process.env.BENCH_SEED ?? 42);
const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

interface PlannedCase {
  caseId: string;
  rating: Rating;
  requestedAt: number; // offsets from t0, ms
  deadline: number;
  requests: { agency: CheckAgency; dueAt: number; repliedAt?: number }[];
}

/** The same schedule for every run (seeded), as offsets from t0. */
function plan(): PlannedCase[] {
  const rnd = prng(SEED);
  const out: PlannedCase[] = [];
  for (let i = 0; i < CASES; i++) {
    const r = rnd();
    const rating: Rating = r < 0.1 ? 'RED' : r < 0.42 ? 'AMBER' : 'GREEN';
    let span = (rating === 'RED' ? 0.25 : rating === 'AMBER' ? 0.6 : 1.0) * WINDOW_MS;
    const requestedAt = -Math.round(rnd() * span * 0.5);
    // Close of business: many Green cases are due at the same instant.
    if (rating === 'GREEN' && rnd() < 0.3) span = 0.8 * WINDOW_MS - requestedAt;
    const deadline = requestedAt + span;
    const agencies: CheckAgency[] =
      rating === 'RED'
        ? ['police', 'health', 'education', 'probation', 'housing']
        : rating === 'AMBER'
          ? ['police', 'health', 'education', ...(rnd() < 0.5 ? (['probation'] as const) : (['housing'] as const))]
          : ['health', 'education', ...(rnd() < 0.3 ? (['adult-social-care'] as const) : [])];
    const requests = agencies.map((agency, k) => {
      const dueAt = requestedAt + Math.round(span * (rating === 'RED' ? 0.5 : agency === 'adult-social-care' ? 0.9 : 0.75));
      // Some have already replied (never the first: the case stays open).
      const repliedAt = k > 0 && rnd() < 0.35 ? requestedAt + Math.round(rnd() * -requestedAt) : undefined;
      return { agency, dueAt, repliedAt };
    });
    out.push({ caseId: `CS-bench-${i}`, rating, requestedAt, deadline, requests });
  }
  return out;
}

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

interface DbCounters {
  xact: number;
  returned: number;
  fetched: number;
  inserted: number;
  updated: number;
  seqScan: number;
  seqRead: number;
  idxScan: number;
  blksRead: number;
  blksHit: number;
}

async function dbCounters(adminUrl: string, db: string): Promise<DbCounters> {
  return withClient(adminUrl, async (c) => {
    const d = (
      await c.query(
        `SELECT xact_commit + xact_rollback AS xact, tup_returned, tup_fetched, tup_inserted, tup_updated, blks_read, blks_hit FROM pg_stat_database WHERE datname = $1`,
        [db],
      )
    ).rows[0];
    return {
      xact: +d.xact,
      returned: +d.tup_returned,
      fetched: +d.tup_fetched,
      inserted: +d.tup_inserted,
      updated: +d.tup_updated,
      blksRead: +d.blks_read,
      blksHit: +d.blks_hit,
      seqScan: 0,
      seqRead: 0,
      idxScan: 0,
    };
  });
}

async function tableCounters(url: string): Promise<Pick<DbCounters, 'seqScan' | 'seqRead' | 'idxScan'>> {
  return withClient(url, async (c) => {
    const t = (
      await c.query(
        `SELECT sum(seq_scan) AS s, sum(seq_tup_read) AS r, sum(coalesce(idx_scan, 0)) AS i FROM pg_stat_user_tables WHERE schemaname = 'checks'`,
      )
    ).rows[0];
    return { seqScan: +t.s, seqRead: +t.r, idxScan: +t.i };
  });
}

const counted = { queries: 0 };
const pct = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;

async function run(mode: 'wake-at-next-due' | 'baseline-poll-250ms', cases: PlannedCase[]) {
  const { DataSource } = await import('typeorm');
  const { PostgresQueryRunner } = await import('typeorm/driver/postgres/PostgresQueryRunner');
  const { messagingTablesMigration, Outbox } = await import('@mash/messaging');
  const { chaseSchedule } = await import('../apps/checks/src/chasing');
  const { ChecksTables1700000000300 } = await import('../apps/checks/src/migrations/1700000000300-checks-tables');
  const { ChecksTimerKeys1700000000310 } = await import('../apps/checks/src/migrations/1700000000310-checks-timer-keys');
  const { PictureService } = await import('../apps/checks/src/picture/picture.service');
  const { requestIdFor } = await import('../apps/checks/src/requests/requests.service');
  const { TimersService } = await import('../apps/checks/src/timers/timers.service');

  // Count every statement the service sends (pg_stat_statements is not assumed).
  const proto = PostgresQueryRunner.prototype as unknown as { query: (...a: unknown[]) => Promise<unknown>; __counted?: boolean };
  if (!proto.__counted) {
    const original = proto.query;
    proto.query = function (this: unknown, ...a: unknown[]) {
      counted.queries++;
      return original.apply(this, a);
    };
    proto.__counted = true;
  }

  const db = `mash_bench_${randomBytes(3).toString('hex')}`;
  const dbUrl = new URL(BASE_URL);
  dbUrl.pathname = `/${db}`;
  await withClient(BASE_URL, (c) => c.query(`CREATE DATABASE "${db}"`));
  await withClient(dbUrl.toString(), (c) => c.query(`CREATE SCHEMA checks`));
  const dataSource = () =>
    new DataSource({
      type: 'postgres',
      url: dbUrl.toString(),
      schema: 'checks',
      extra: { max: 10 },
      migrations: [messagingTablesMigration('checks'), ChecksTables1700000000300, ChecksTimerKeys1700000000310],
      migrationsTableName: 'migrations',
    });

  // --- seed: 10,000 open cases with their requests, replies and timers (history included)
  const seedStart = Date.now();
  const FAR = Date.parse('2030-01-01T00:00:00Z');
  let ds: DataSourceT = dataSource();
  await ds.initialize();
  await ds.runMigrations();
  const at = (ms: number) => new Date(FAR + ms).toISOString();
  const rows = { cases: [] as unknown[][], requests: [] as unknown[][], replies: [] as unknown[][], timers: [] as unknown[][] };
  const deadlineKeys = new Set<string>();
  for (const c of cases) {
    rows.cases.push([c.caseId, `CT-${c.caseId}`, c.rating, at(c.deadline), at(c.requestedAt)]);
    for (const r of c.requests) {
      const requestId = requestIdFor(c.caseId, r.agency);
      rows.requests.push([
        requestId,
        c.caseId,
        r.agency,
        JSON.stringify(['identity']),
        at(c.requestedAt),
        at(r.dueAt),
        r.repliedAt === undefined ? null : at(r.repliedAt),
        false,
      ]);
      if (r.repliedAt !== undefined) {
        const body: CheckReplied = {
          requestId,
          caseId: c.caseId,
          agency: r.agency,
          repliedAt: at(r.repliedAt),
          known: true,
          entries: [
            { subjectId: 's1', date: '2026-03-01', category: 'identity', summary: `${r.agency} record one` },
            { subjectId: 's1', date: '2026-06-01T10:00:00Z', category: 'identity', summary: `${r.agency} record two` },
          ],
        };
        rows.replies.push([requestId, c.caseId, r.agency, at(r.repliedAt), JSON.stringify(body)]);
      }
      for (const t of chaseSchedule({
        caseId: c.caseId,
        requestId,
        agency: r.agency,
        requestedAt: at(c.requestedAt),
        dueAt: at(r.dueAt),
        caseDeadline: at(c.deadline),
      })) {
        if (t.kind === 'case-deadline') {
          if (deadlineKeys.has(t.key)) continue;
          deadlineKeys.add(t.key);
        }
        const offset = t.fireAt.getTime() - FAR;
        const cancelled = r.repliedAt !== undefined && t.kind !== 'case-deadline' && offset > r.repliedAt ? at(r.repliedAt) : null;
        const fired = !cancelled && offset < 0 ? t.fireAt.toISOString() : null;
        rows.timers.push([
          t.key,
          t.caseId,
          t.requestId ?? null,
          t.agency ?? null,
          t.kind,
          t.fireAt.toISOString(),
          t.dueAt.toISOString(),
          fired,
          cancelled,
        ]);
      }
    }
  }
  const insert = async (sql: string, types: string[], data: unknown[][]) => {
    for (let i = 0; i < data.length; i += 5000) {
      const chunk = data.slice(i, i + 5000);
      await ds.query(
        sql,
        types.map((_, k) => chunk.map((row) => row[k])),
      );
    }
  };
  await insert(
    `INSERT INTO checks.cases (case_id, contact_id, rating, deadline, opened_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[])`,
    ['', '', '', '', ''],
    rows.cases,
  );
  await insert(
    `INSERT INTO checks.requests (request_id, case_id, agency, categories, requested_at, due_at, replied_at, late) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[], $8::boolean[])`,
    ['', '', '', '', '', '', '', ''],
    rows.requests,
  );
  await insert(
    `INSERT INTO checks.replies (request_id, case_id, agency, received_at, body) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[])`,
    ['', '', '', '', ''],
    rows.replies,
  );
  await insert(
    `INSERT INTO checks.timers (key, case_id, request_id, agency, kind, fire_at, due_at, fired_at, cancelled_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::timestamptz[])`,
    ['', '', '', '', '', '', '', '', ''],
    rows.timers,
  );
  // Move the whole schedule so that t0 comes right after the idle phase. Room for the move and
  // VACUUM themselves (they take about as long as the inserts), then for the idle phase's
  // statistics to be read and the firing phase's pool to open.
  const t0 = Date.now() + (Date.now() - seedStart) + IDLE_MS + 5000;
  const shift = `${FAR - t0} milliseconds`;
  await ds.query(`UPDATE checks.cases SET deadline = deadline - $1::interval, opened_at = opened_at - $1::interval`, [shift]);
  await ds.query(
    `UPDATE checks.requests SET requested_at = requested_at - $1::interval, due_at = due_at - $1::interval, replied_at = replied_at - $1::interval`,
    [shift],
  );
  await ds.query(`UPDATE checks.replies SET received_at = received_at - $1::interval`, [shift]);
  await ds.query(
    `UPDATE checks.timers SET fire_at = fire_at - $1::interval, due_at = due_at - $1::interval, fired_at = fired_at - $1::interval, cancelled_at = cancelled_at - $1::interval`,
    [shift],
  );
  await ds.query(`VACUUM ANALYZE checks.cases, checks.requests, checks.replies, checks.timers`);
  await ds.destroy();
  const [{ pending, total }] = await withClient(
    dbUrl.toString(),
    async (c) =>
      (
        await c.query(
          `SELECT count(*) FILTER (WHERE fired_at IS NULL AND cancelled_at IS NULL)::int AS pending, count(*)::int AS total FROM checks.timers`,
        )
      ).rows,
  );
  const seedMs = Date.now() - seedStart;

  // --- one phase: a fresh pool (closing it flushes its backends' statistics), the engine running
  const phase = async (until: number) => {
    ds = dataSource();
    await ds.initialize();
    const sent = { n: 0 };
    const port = {
      sendRaw: async (records: unknown[]) => void (sent.n += records.length),
    } as unknown as import('@mash/messaging').KafkaPort;
    const outbox = new Outbox(ds, port, 'checks', 'checks-bench');
    const timers = new TimersService(ds, outbox, new PictureService(outbox));
    const before = { ...(await dbCounters(BASE_URL, db)), ...(await tableCounters(dbUrl.toString())), q: counted.queries, t: Date.now() };
    outbox.start();
    timers.start(mode === 'wake-at-next-due' ? { wakeAtNextDue: true, pollMs: 250 } : { wakeAtNextDue: false, pollMs: 250 });
    while (Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    await timers.stop();
    await outbox.relay();
    await outbox.stop();
    const q = counted.queries - before.q;
    const seconds = (Date.now() - before.t) / 1000;
    await ds.destroy();
    await new Promise((r) => setTimeout(r, 1200));
    const after = { ...(await dbCounters(BASE_URL, db)), ...(await tableCounters(dbUrl.toString())) };
    const per = (k: keyof DbCounters) => Math.round((after[k] - before[k]) / seconds);
    return {
      seconds: +seconds.toFixed(1),
      eventsRelayed: sent.n,
      queriesPerS: Math.round(q / seconds),
      xactPerS: per('xact'),
      rowsReturnedPerS: per('returned'),
      rowsFetchedPerS: per('fetched'),
      rowsInsertedPerS: per('inserted'),
      rowsUpdatedPerS: per('updated'),
      seqScans: after.seqScan - before.seqScan,
      seqRowsRead: after.seqRead - before.seqRead,
      idxScans: after.idxScan - before.idxScan,
      blocksReadFromDisk: after.blksRead - before.blksRead,
    };
  };

  while (Date.now() < t0 - IDLE_MS - 4000) await new Promise((r) => setTimeout(r, 50));
  const idle = await phase(t0 - 4000);
  const firing = await phase(t0 + WINDOW_MS + 2000);

  const lateness = await withClient(dbUrl.toString(), async (c) => {
    const r = await c.query(
      `SELECT kind, extract(epoch FROM fired_at - fire_at) * 1000 AS ms FROM checks.timers WHERE fired_at IS NOT NULL AND fire_at >= $1`,
      [new Date(t0)],
    );
    if (process.env.BENCH_DEBUG) {
      const d = await c.query(
        `SELECT floor(extract(epoch FROM fire_at - $1::timestamptz))::int AS s, count(*)::int AS n, round(avg(extract(epoch FROM fired_at - fire_at)) * 1000) AS avg_ms, round(min(extract(epoch FROM fired_at - $1::timestamptz)) * 1000) AS first_fired_ms FROM checks.timers WHERE fired_at IS NOT NULL AND fire_at >= $1 GROUP BY 1 ORDER BY 1`,
        [new Date(t0)],
      );
      console.error(JSON.stringify(d.rows));
    }
    const left = await c.query(
      `SELECT count(*)::int AS n FROM checks.timers WHERE fired_at IS NULL AND cancelled_at IS NULL AND fire_at <= now()`,
    );
    const ready = await c.query(`SELECT count(*)::int AS n FROM checks.cases WHERE ready_at IS NOT NULL`);
    const summary = (ms: number[]) => {
      const s = ms.sort((a, b) => a - b);
      return {
        fired: s.length,
        p50Ms: Math.round(pct(s, 50)),
        p99Ms: Math.round(pct(s, 99)),
        maxMs: Math.round(s[s.length - 1] ?? NaN),
        over1s: s.filter((x) => x > 1000).length,
      };
    };
    const all = r.rows.map((x) => Number(x.ms));
    return {
      all: summary(all),
      byKind: Object.fromEntries(
        ['reminder', 'escalation', 'case-deadline'].map((k) => [k, summary(r.rows.filter((x) => x.kind === k).map((x) => Number(x.ms)))]),
      ),
      overdueLeft: left.rows[0].n,
      casesReady: ready.rows[0].n,
    };
  });
  await withClient(BASE_URL, (c) => c.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`));
  return {
    mode,
    cases: CASES,
    timersInTable: total,
    pendingAtT0: pending,
    windowS: WINDOW_MS / 1000,
    seedS: +(seedMs / 1000).toFixed(1),
    lateness,
    idle,
    firing,
  };
}

async function main() {
  const cases = plan();
  const results = [];
  for (const mode of ['wake-at-next-due', 'baseline-poll-250ms'] as const) {
    const r = await run(mode, cases);
    console.log(JSON.stringify(r));
    results.push(r);
  }
  console.log(
    '\nmode                   fired   p50ms  p99ms  maxMs  >1s | firing: q/s  xact/s  rows ret/s  seqScans | idle: q/s  xact/s  rows ret/s',
  );
  for (const r of results) {
    const l = r.lateness.all;
    console.log(
      `${r.mode.padEnd(22)} ${String(l.fired).padStart(6)} ${String(l.p50Ms).padStart(6)} ${String(l.p99Ms).padStart(6)} ${String(l.maxMs).padStart(6)} ${String(l.over1s).padStart(4)} | ` +
        `${String(r.firing.queriesPerS).padStart(11)} ${String(r.firing.xactPerS).padStart(7)} ${String(r.firing.rowsReturnedPerS).padStart(11)} ${String(r.firing.seqScans).padStart(9)} | ` +
        `${String(r.idle.queriesPerS).padStart(9)} ${String(r.idle.xactPerS).padStart(7)} ${String(r.idle.rowsReturnedPerS).padStart(11)}`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
