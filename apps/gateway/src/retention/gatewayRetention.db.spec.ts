import { Client } from 'pg';
import { openJsonb } from '@mash/at-rest';
import type { CaseReady } from '@mash/contracts';
import { disclosureAuditMigrationsFor, RetentionJob } from '@mash/platform';
import { createServiceDb, ServiceDb } from '../../../../test/support/serviceDb';
import { GATEWAY_MIGRATIONS } from '../app.module';
import { BoardProjection } from '../board/board.projection';
import { StatusProjection } from '../status/status.projection';
import { GATEWAY_RETENTION } from './gatewayRetention';

/**
 * The gateway's retention run against what races it, on real Postgres (docs/retention.md):
 * a late picture of a decided case written after a run (the delete-then-mark race), and a legal
 * hold committed while a run is about to purge (a hold state read before the lock).
 */
const LONG_AGO = '2020-01-10T10:00:00Z';
let db: ServiceDb;
let job: RetentionJob;
const projection = new StatusProjection(new BoardProjection());

beforeAll(async () => {
  db = await createServiceDb('mash_gwret', 'gateway', [...GATEWAY_MIGRATIONS, ...disclosureAuditMigrationsFor('gateway')]);
  job = new RetentionJob(db.ds, 'gateway', 6, GATEWAY_RETENTION, { intervalMs: 1e9, batch: 10, outboxKeepMs: 0 });
}, 60000);

afterAll(async () => {
  await db?.drop();
});

async function seed(caseId: string) {
  const contactId = `CT-${caseId}`;
  await db.ds.query(
    `INSERT INTO gateway.contacts (contact_id, source_agency, agency_reference, received_at, body) VALUES ($1, 'police', $1, $2, '{"child":{"name":"Ann Example"}}')`,
    [contactId, LONG_AGO],
  );
  await db.ds.query(`INSERT INTO gateway.contact_status (contact_id, case_id, stage, decided_at) VALUES ($1, $2, 'decided', $3)`, [
    contactId,
    caseId,
    LONG_AGO,
  ]);
  await db.ds.query(
    `INSERT INTO gateway.cases (case_id, contact_id, rating, policy_version, deadline, chronology, decision_id) VALUES ($1, $2, 'AMBER', 'v1', $3, '[{"agency":"police","text":"known to police"}]', $4)`,
    [caseId, contactId, LONG_AGO, `DC-${caseId}`],
  );
  await db.ds.query(
    `INSERT INTO gateway.decisions (decision_id, case_id, recorded_by, body, recorded_at) VALUES ($1, $2, 'mash-manager', '{"nextSteps":"visit"}', $3)`,
    [`DC-${caseId}`, caseId, LONG_AGO],
  );
}

// The chronology is sealed at rest (GATEWAY_SEALED); retention's emptied '[]' is plain.
const chronology = async (caseId: string) =>
  openJsonb<unknown[]>((await db.ds.query(`SELECT chronology FROM gateway.cases WHERE case_id = $1`, [caseId]))[0].chronology);
const contactBody = async (caseId: string) =>
  (await db.ds.query(`SELECT body FROM gateway.contacts WHERE contact_id = $1`, [`CT-${caseId}`]))[0].body as object;

function lateReady(caseId: string, n: number): CaseReady {
  return {
    caseId,
    revision: n + 2,
    readyAt: LONG_AGO,
    complete: true,
    replied: ['police'],
    missing: [],
    chronology: [{ agency: 'police', text: `late reply ${n}` }],
  } as unknown as CaseReady;
}

it('strips a late picture written into a case a run already pruned (the delete-then-mark race)', async () => {
  await seed('CS-late');
  await job.runOnce();
  expect(await chronology('CS-late')).toEqual([]);
  // A late reply revises the picture of the decided case after the run marked it pruned.
  await db.ds.transaction((m) => projection.ready(lateReady('CS-late', 0), new Date().toISOString(), m));
  expect(await chronology('CS-late')).toHaveLength(1);
  await job.runOnce();
  expect(await chronology('CS-late')).toEqual([]);

  // Now many of them at once with runs: whatever the interleaving, the last run leaves nothing.
  await Promise.all([
    ...Array.from({ length: 8 }, (_, i) =>
      db.ds.transaction((m) => projection.ready(lateReady('CS-late', i + 1), new Date().toISOString(), m)),
    ),
    job.runOnce(),
    job.runOnce(),
  ]);
  await job.runOnce();
  expect(await chronology('CS-late')).toEqual([]);
}, 60000);

it('waits for a hold being committed and then keeps the case, its decision and its relayed events', async () => {
  await seed('CS-hold');
  await seed('CS-free');
  await db.ds.query(
    `INSERT INTO gateway.outbox (id, topic, key, value, case_id, published_at) VALUES
       ('ev-hold', 'mash.case.rated.v1', 'CS-hold', '{"data":{"caseId":"CS-hold"}}', 'CS-hold', now() - interval '1 hour'),
       ('ev-hold-by-data', 'mash.contact.received.v1', 'CT-CS-hold', '{"data":{"caseId":"CS-hold"}}', 'CS-hold', now() - interval '1 hour'),
       ('ev-free', 'mash.case.rated.v1', 'CS-free', '{"data":{"caseId":"CS-free"}}', 'CS-free', now() - interval '1 hour'),
       ('ev-unsent', 'mash.case.rated.v1', 'CS-free', '{"data":{"caseId":"CS-free"}}', 'CS-free', NULL)`,
  );
  // A hold's transaction has written its row but not committed when the run starts.
  const url = (db.ds.options as { url: string }).url;
  const holder = new Client({ connectionString: url });
  await holder.connect();
  try {
    await holder.query('BEGIN');
    await holder.query(
      `INSERT INTO gateway.legal_holds (case_id, held, hold_id, recorded_at, recorded_by) VALUES ('CS-hold', true, 'LH-1', now(), 'dm-amina.shah')`,
    );
    const run = job.runOnce();
    // The run waits on the holds table rather than purging by a hold state read before the hold lands.
    for (let waited = 0; ; waited += 50) {
      const [{ n }] = await db.ds.query(
        `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'legal_holds' AND NOT l.granted`,
      );
      if (n > 0) break;
      if (waited > 20000) throw new Error('the run never waited for the hold');
      await new Promise((r) => setTimeout(r, 50));
    }
    await holder.query('COMMIT');
    const result = await run;
    expect(result).not.toBeNull();
  } finally {
    await holder.end();
  }
  expect(await chronology('CS-hold')).toHaveLength(1);
  expect(await contactBody('CS-hold')).toEqual({ child: { name: 'Ann Example' } });
  expect((await db.ds.query(`SELECT body FROM gateway.decisions WHERE case_id = 'CS-hold'`))[0].body).toEqual({ nextSteps: 'visit' });
  expect(await chronology('CS-free')).toEqual([]);
  expect(await contactBody('CS-free')).toEqual({});
  // Relayed events go, except the held case's (by key, or by the caseId inside); unsent ones stay.
  const left = (await db.ds.query(`SELECT id FROM gateway.outbox WHERE id LIKE 'ev-%' ORDER BY id`)).map((r: { id: string }) => r.id);
  expect(left).toEqual(['ev-hold', 'ev-hold-by-data', 'ev-unsent']);
  // The run's audit record says what went and that a case was on hold.
  const [audit] = await db.ds.query(
    `SELECT detail FROM gateway.disclosure_audit WHERE action = 'retention-run' ORDER BY at DESC, id DESC LIMIT 1`,
  );
  expect(audit.detail.casesOnHold).toBe(1);
  expect(audit.detail.counts.outbox).toBeGreaterThanOrEqual(1);
}, 60000);
