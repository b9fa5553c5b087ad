import { Client } from 'pg';
import { startTestHub, TestHub } from '../support/hub';

/**
 * Retention across the four services, each pruning only its own tables. Cases are seeded straight
 * into each service's tables (the flow that fills them has its own tests): one decided long ago,
 * one received as long ago but never decided, one decided just now. The shipped policy keeps MASH
 * records 6 months, so only the first must lose its content; the others keep everything.
 */
describe('retention', () => {
  let hub: TestHub;
  let pg: Client;
  const LONG_AGO = '2020-01-10T10:00:00Z';
  const NOW = new Date().toISOString();
  const cases = { old: 'CS-ret-old', open: 'CS-ret-open', recent: 'CS-ret-recent' };
  const decidedAt: Record<string, string | null> = { old: LONG_AGO, open: null, recent: NOW };

  beforeAll(async () => {
    hub = await startTestHub([], { MASH_RETENTION_INTERVAL_MS: '500', MASH_RETENTION_BATCH: '1' });
    pg = new Client({ connectionString: hub.env.DATABASE_URL });
    await pg.connect();
    // One transaction: a retention run between a person's insert and its link would take the
    // person for an orphan.
    await pg.query('BEGIN');
    for (const [k, caseId] of Object.entries(cases)) await seed(k, caseId, decidedAt[k]);
    await pg.query(`INSERT INTO gateway.quarantine (received_at, sender, channel, status, reason, raw, raw_bytes) VALUES ($1, 'police', 'http', 400, 'invalid', 'old raw', 7), (now(), 'police', 'http', 400, 'invalid', 'new raw', 7)`, [LONG_AGO]);
    await pg.query('COMMIT');
  }, 180000);

  afterAll(async () => {
    await pg?.end();
    await hub?.stop();
  }, 60000);

  async function seed(k: string, caseId: string, decided: string | null) {
    const contactId = `CT-ret-${k}`;
    const body = JSON.stringify({ child: { name: `Child ${k}` } });
    // gateway
    await pg.query(`INSERT INTO gateway.contacts (contact_id, source_agency, agency_reference, received_at, body) VALUES ($1, 'police', $2, $3, $4)`, [contactId, `REF-${k}`, LONG_AGO, body]);
    await pg.query(`INSERT INTO gateway.contact_status (contact_id, case_id, stage, decided_at) VALUES ($1, $2, $3, $4)`, [contactId, caseId, decided ? 'decided' : 'checks', decided]);
    await pg.query(`INSERT INTO gateway.cases (case_id, contact_id, rating, policy_version, deadline, chronology) VALUES ($1, $2, 'AMBER', 'v1', $3, $4)`, [caseId, contactId, LONG_AGO, JSON.stringify([{ agency: 'police', text: 'known' }])]);
    if (decided) await pg.query(`INSERT INTO gateway.decisions (decision_id, case_id, recorded_by, body, recorded_at) VALUES ($1, $2, 'mash-manager', $3, $4)`, [`DC-${k}`, caseId, JSON.stringify({ nextSteps: 'visit' }), decided]);
    // triage
    await pg.query(
      `INSERT INTO triage.cases (case_id, contact_id, source_agency, received_at, start_rating, rule_ids, reasons, policy_version, deadline, lawful_basis, check_plan, decided_at, household_id, allocated_worker, state)
       VALUES ($1, $2, 'police', $3, 'AMBER', '[]', '[]', 'v1', $3, 'consent', '[]', $4, $5, 'A Worker', $6)`,
      [caseId, contactId, LONG_AGO, decided, `HH-${k}`, decided ? 'decided' : 'checks'],
    );
    await pg.query(`INSERT INTO triage.ratings (case_id, stage, rating, rule_ids, reasons, policy_version, rated_by) VALUES ($1, 'start', 'AMBER', '[]', '[]', 'v1', 'rules')`, [caseId]);
    await pg.query(`INSERT INTO triage.households (household_id, created_at) VALUES ($1, $2)`, [`HH-${k}`, LONG_AGO]);
    await pg.query(`INSERT INTO triage.persons (person_id, given_name, household_id, created_at) VALUES ($1, $2, $3, $4)`, [`P-${k}`, `Child ${k}`, `HH-${k}`, LONG_AGO]);
    await pg.query(`INSERT INTO triage.person_blocks (block, person_id) VALUES ($1, $2)`, [`b-${k}`, `P-${k}`]);
    await pg.query(`INSERT INTO triage.contacts (contact_id, case_id, source_agency, received_at, incident_at, rating, rule_ids, body, incident_ref) VALUES ($1, $2, 'police', $3, $3, 'AMBER', '[]', $4, 'INC-1')`, [contactId, caseId, LONG_AGO, body]);
    await pg.query(`INSERT INTO triage.contact_subjects (contact_id, subject_ref, person_id, case_id, kind, received_at, matched_by) VALUES ($1, 's1', $2, $3, 'child', $4, 'new')`, [contactId, `P-${k}`, caseId, LONG_AGO]);
    // checks
    await pg.query(`INSERT INTO checks.cases (case_id, contact_id, rating, deadline, opened_at, ready_at, decided_at) VALUES ($1, $2, 'AMBER', $3, $3, $3, $4)`, [caseId, contactId, LONG_AGO, decided]);
    await pg.query(`INSERT INTO checks.requests (request_id, case_id, agency, categories, requested_at, due_at, replied_at) VALUES ($1, $2, 'police', '[]', $3, $3, $3)`, [`RQ-${k}`, caseId, LONG_AGO]);
    await pg.query(`INSERT INTO checks.replies (request_id, case_id, agency, received_at, body) VALUES ($1, $2, 'police', $3, $4)`, [`RQ-${k}`, caseId, LONG_AGO, body]);
    // notifier
    await pg.query(`INSERT INTO notifier.case_contacts (contact_id, case_id, rated_at) VALUES ($1, $2, $3)`, [contactId, caseId, LONG_AGO]);
    await pg.query(`INSERT INTO notifier.referrers (contact_id, source_agency, agency_reference, referrer, received_at) VALUES ($1, 'police', $2, $3, $4)`, [contactId, `REF-${k}`, JSON.stringify({ name: 'PC Smith' }), LONG_AGO]);
    if (decided) await pg.query(`INSERT INTO notifier.decisions (decision_id, case_id, body, published_at) VALUES ($1, $2, '{}', $3)`, [`DC-${k}`, caseId, decided]);
    await pg.query(`INSERT INTO notifier.notices (notice_id, case_id, contact_id, kind, recipient, channel, body, status) VALUES ($1, $2, $3, 'outcome', 'police', '{"email":"pc@example.org"}', $4, 'delivered')`, [`NT-${k}`, caseId, contactId, body]);
  }

  /** Everything that is case content, per case: true while it is still there. */
  async function content(k: keyof typeof cases) {
    const caseId = cases[k];
    const contactId = `CT-ret-${k}`;
    const one = async (sql: string, params: unknown[]) => Boolean((await pg.query(sql, params)).rows[0]?.present);
    return {
      gatewayContact: await one(`SELECT body <> '{}'::jsonb AS present FROM gateway.contacts WHERE contact_id = $1`, [contactId]),
      gatewayChronology: await one(`SELECT chronology <> '[]'::jsonb AS present FROM gateway.cases WHERE case_id = $1`, [caseId]),
      triageContact: await one(`SELECT body <> '{}'::jsonb AS present FROM triage.contacts WHERE contact_id = $1`, [contactId]),
      triageSubjects: await one(`SELECT count(*) > 0 AS present FROM triage.contact_subjects WHERE case_id = $1`, [caseId]),
      triagePerson: await one(`SELECT count(*) > 0 AS present FROM triage.persons WHERE person_id = $1`, [`P-${k}`]),
      triageWorker: await one(`SELECT allocated_worker IS NOT NULL AS present FROM triage.cases WHERE case_id = $1`, [caseId]),
      checksReply: await one(`SELECT count(*) > 0 AS present FROM checks.replies WHERE case_id = $1`, [caseId]),
      notice: await one(`SELECT body <> '{}'::jsonb AS present FROM notifier.notices WHERE notice_id = $1`, [`NT-${k}`]),
      referrer: await one(`SELECT count(*) > 0 AS present FROM notifier.referrers WHERE contact_id = $1`, [contactId]),
    };
  }

  it('strips decided cases past retention, keeps undecided and recent ones, and records each run', async () => {
    const t0 = Date.now();
    const allGone = (c: Record<string, boolean>) => Object.values(c).every((v) => !v);
    let old = await content('old');
    while (!allGone(old) && Date.now() - t0 < 20000) {
      await new Promise((r) => setTimeout(r, 250));
      old = await content('old');
    }
    expect(old).toEqual(Object.fromEntries(Object.keys(old).map((key) => [key, false])));

    const all = (c: Record<string, boolean>) => Object.fromEntries(Object.keys(c).map((key) => [key, true]));
    const open = await content('open');
    expect(open).toEqual(all(open));
    const recent = await content('recent');
    expect(recent).toEqual(all(recent));

    // What statistics need stays: the ratings, the case's rating, the contact's stage, the request's times.
    expect((await pg.query(`SELECT count(*)::int AS n FROM triage.ratings WHERE case_id = $1`, [cases.old])).rows[0].n).toBe(1);
    expect((await pg.query(`SELECT start_rating FROM triage.cases WHERE case_id = $1`, [cases.old])).rows[0].start_rating).toBe('AMBER');
    expect((await pg.query(`SELECT stage FROM gateway.contact_status WHERE contact_id = 'CT-ret-old'`)).rows[0].stage).toBe('decided');
    expect((await pg.query(`SELECT replied_at FROM checks.requests WHERE request_id = 'RQ-old'`)).rows[0].replied_at).not.toBeNull();
    // Quarantine goes by receipt, decided or not.
    expect((await pg.query(`SELECT raw FROM gateway.quarantine ORDER BY id`)).rows.map((r) => r.raw)).toEqual(['new raw']);

    // Each service recorded its runs, counts only; with a batch of 1 each table took its own batches.
    for (const schema of ['gateway', 'triage', 'checks', 'notifier']) {
      const { rows } = await pg.query(`SELECT counts FROM ${schema}.retention_runs`);
      expect(rows.length).toBeGreaterThan(0);
      const total = rows.reduce((n, r) => n + Object.values(r.counts as Record<string, number>).reduce((a, b) => a + b, 0), 0);
      expect(total).toBeGreaterThan(0);
    }
    const gw = (await pg.query(`SELECT counts FROM gateway.retention_runs`)).rows.map((r) => r.counts);
    expect(gw.reduce((n, c) => n + (c.quarantine ?? 0), 0)).toBe(1);
    expect(gw.reduce((n, c) => n + (c.contacts ?? 0), 0)).toBe(1);

    // The counter operators watch.
    const metrics = await (await fetch(`${hub.gatewayUrl}/metrics`)).text();
    expect(metrics).toMatch(/mash_retention_rows_total\{table="gateway.contacts"\} 1/);
  }, 40000);
});
