import { Client } from 'pg';
import { signIn } from '../support/identity';
import { METRICS_AUTH, startTestHub, TEST_TOKENS, TestHub } from '../support/hub';
import { dataKeys } from '@mash/at-rest';

/**
 * Retention across the four services, each pruning only its own tables. Cases are seeded straight
 * into each service's tables (the flow that fills them has its own tests): one decided long ago,
 * one received as long ago but never decided, one decided just now. The shipped policy keeps MASH
 * records 6 months, so only the first must lose its content; the others keep everything.
 * Each service's outbox loses what it relayed (MASH_OUTBOX_KEEP_MS) whatever the case's state.
 * A fourth case, decided long ago too, is put under a legal hold by a signed-in manager at the
 * gateway: no service purges any of it (its rows, its outbox events) until the hold is lifted.
 */
describe('retention', () => {
  let hub: TestHub;
  let pg: Client;
  const LONG_AGO = '2020-01-10T10:00:00Z';
  const NOW = new Date().toISOString();
  const cases = { old: 'CS-ret-old', open: 'CS-ret-open', recent: 'CS-ret-recent', held: 'CS-ret-held' };
  // The held case is decided "now" until its hold is in place everywhere, then moved back (below).
  const decidedAt: Record<string, string | null> = { old: LONG_AGO, open: null, recent: NOW, held: NOW };
  const SCHEMAS = ['gateway', 'triage', 'checks', 'notifier'];

  beforeAll(async () => {
    hub = await startTestHub([], { MASH_RETENTION_INTERVAL_MS: '500', MASH_RETENTION_BATCH: '1', MASH_OUTBOX_KEEP_MS: '1000' });
    pg = new Client({ connectionString: hub.env.DATABASE_URL });
    await pg.connect();
    // One transaction: a retention run between a person's insert and its link would take the
    // person for an orphan.
    await pg.query('BEGIN');
    for (const [k, caseId] of Object.entries(cases)) await seed(k, caseId, decidedAt[k]);
    for (const k of ['old', 'open', 'recent'] as const) await seedOutbox(k);
    await pg.query(
      `INSERT INTO gateway.quarantine (received_at, sender, channel, status, reason, raw, raw_bytes) VALUES ($1, 'police', 'http', 400, 'invalid', 'old raw', 7), (now(), 'police', 'http', 400, 'invalid', 'new raw', 7)`,
      [LONG_AGO],
    );
    await pg.query('COMMIT');
  }, 420000);

  afterAll(async () => {
    await pg?.end();
    await hub?.stop();
  }, 60000);

  async function seed(k: string, caseId: string, decided: string | null) {
    const contactId = `CT-ret-${k}`;
    const body = JSON.stringify({ child: { name: `Child ${k}` } });
    // gateway
    await pg.query(
      `INSERT INTO gateway.contacts (contact_id, source_agency, agency_reference, received_at, body) VALUES ($1, 'police', $2, $3, $4)`,
      [contactId, `REF-${k}`, LONG_AGO, body],
    );
    await pg.query(`INSERT INTO gateway.contact_status (contact_id, case_id, stage, decided_at) VALUES ($1, $2, $3, $4)`, [
      contactId,
      caseId,
      decided ? 'decided' : 'checks',
      decided,
    ]);
    await pg.query(
      `INSERT INTO gateway.cases (case_id, contact_id, rating, policy_version, deadline, chronology) VALUES ($1, $2, 'AMBER', 'v1', $3, $4)`,
      [caseId, contactId, LONG_AGO, JSON.stringify([{ agency: 'police', text: 'known' }])],
    );
    if (decided)
      await pg.query(
        `INSERT INTO gateway.decisions (decision_id, case_id, recorded_by, body, recorded_at) VALUES ($1, $2, 'mash-manager', $3, $4)`,
        [`DC-${k}`, caseId, JSON.stringify({ nextSteps: 'visit' }), decided],
      );
    // triage
    await pg.query(
      `INSERT INTO triage.cases (case_id, contact_id, source_agency, received_at, start_rating, rule_ids, reasons, policy_version, deadline, lawful_basis, check_plan, decided_at, household_id, allocated_worker, state)
       VALUES ($1, $2, 'police', $3, 'AMBER', '[]', '[]', 'v1', $3, 'consent', '[]', $4, $5, 'A Worker', $6)`,
      [caseId, contactId, LONG_AGO, decided, `HH-${k}`, decided ? 'decided' : 'checks'],
    );
    await pg.query(
      `INSERT INTO triage.ratings (case_id, stage, rating, rule_ids, reasons, policy_version, rated_by) VALUES ($1, 'start', 'AMBER', '[]', '[]', 'v1', 'rules')`,
      [caseId],
    );
    await pg.query(`INSERT INTO triage.households (household_id, created_at) VALUES ($1, $2)`, [`HH-${k}`, LONG_AGO]);
    await pg.query(`INSERT INTO triage.persons (person_id, identity, household_id, created_at) VALUES ($1, $2, $3, $4)`, [
      `P-${k}`,
      dataKeys().sealJson({ givenName: `Child ${k}` }),
      `HH-${k}`,
      LONG_AGO,
    ]);
    await pg.query(`INSERT INTO triage.person_blocks (block, person_id) VALUES ($1, $2)`, [`b-${k}`, `P-${k}`]);
    await pg.query(
      `INSERT INTO triage.contacts (contact_id, case_id, source_agency, received_at, incident_at, rating, rule_ids, body, incident_ref) VALUES ($1, $2, 'police', $3, $3, 'AMBER', '[]', $4, 'INC-1')`,
      [contactId, caseId, LONG_AGO, body],
    );
    await pg.query(
      `INSERT INTO triage.contact_subjects (contact_id, subject_ref, person_id, case_id, kind, received_at, matched_by) VALUES ($1, 's1', $2, $3, 'child', $4, 'new')`,
      [contactId, `P-${k}`, caseId, LONG_AGO],
    );
    // checks
    await pg.query(
      `INSERT INTO checks.cases (case_id, contact_id, rating, deadline, opened_at, ready_at, decided_at) VALUES ($1, $2, 'AMBER', $3, $3, $3, $4)`,
      [caseId, contactId, LONG_AGO, decided],
    );
    await pg.query(
      `INSERT INTO checks.requests (request_id, case_id, agency, categories, requested_at, due_at, replied_at) VALUES ($1, $2, 'police', '[]', $3, $3, $3)`,
      [`RQ-${k}`, caseId, LONG_AGO],
    );
    await pg.query(`INSERT INTO checks.replies (request_id, case_id, agency, received_at, body) VALUES ($1, $2, 'police', $3, $4)`, [
      `RQ-${k}`,
      caseId,
      LONG_AGO,
      body,
    ]);
    // notifier
    await pg.query(`INSERT INTO notifier.case_contacts (contact_id, case_id, rated_at) VALUES ($1, $2, $3)`, [contactId, caseId, LONG_AGO]);
    await pg.query(
      `INSERT INTO notifier.referrers (contact_id, source_agency, agency_reference, referrer, received_at) VALUES ($1, 'police', $2, $3, $4)`,
      [contactId, `REF-${k}`, JSON.stringify({ name: 'PC Smith' }), LONG_AGO],
    );
    if (decided)
      await pg.query(`INSERT INTO notifier.decisions (decision_id, case_id, body, published_at) VALUES ($1, $2, '{}', $3)`, [
        `DC-${k}`,
        caseId,
        decided,
      ]);
    await pg.query(
      `INSERT INTO notifier.notices (notice_id, case_id, contact_id, kind, recipient, channel, body, status) VALUES ($1, $2, $3, 'outcome', 'police', '{"email":"pc@example.org"}', $4, 'delivered')`,
      [`NT-${k}`, caseId, contactId, body],
    );
  }

  /** An event each service relayed long ago about the case (a full envelope, as the outbox keeps it). */
  async function seedOutbox(k: keyof typeof cases) {
    for (const schema of SCHEMAS) {
      await pg.query(
        `INSERT INTO ${schema}.outbox (id, topic, key, value, case_id, created_at, published_at) VALUES ($1, 'mash.case.rated.v1', $2, $3, $2, $4, $4)`,
        [`ob-${schema}-${k}`, cases[k], JSON.stringify({ data: { caseId: cases[k], child: `Child ${k}` } }), LONG_AGO],
      );
    }
  }

  const outboxRows = async (k: keyof typeof cases) =>
    (
      await pg.query(
        `SELECT ${SCHEMAS.map((s) => `(SELECT count(*)::int FROM ${s}.outbox WHERE id = 'ob-${s}-${k}') AS "${s}"`).join(', ')}`,
      )
    ).rows[0] as Record<string, number>;
  const runs = async () =>
    (await pg.query(`SELECT ${SCHEMAS.map((s) => `(SELECT count(*)::int FROM ${s}.retention_runs) AS "${s}"`).join(', ')}`))
      .rows[0] as Record<string, number>;
  const until = async (what: string, ok: () => Promise<boolean>, ms = 30000) => {
    for (const t0 = Date.now(); !(await ok());) {
      if (Date.now() - t0 > ms) throw new Error(`not within ${ms} ms: ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  const hold = (token: string, body: unknown) =>
    fetch(`${hub.gatewayUrl}/v1/cases/${cases.held}/legal-hold`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

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
      gatewayDecision: decidedAt[k]
        ? await one(`SELECT body <> '{}'::jsonb AS present FROM gateway.decisions WHERE case_id = $1`, [caseId])
        : false,
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

    const all = (c: Record<string, boolean>) =>
      Object.fromEntries(Object.keys(c).map((key) => [key, key === 'gatewayDecision' ? c.gatewayDecision : true]));
    const open = await content('open');
    expect(open).toEqual(all(open));
    // Relayed events go from every outbox, decided case or not: Kafka holds them from then on.
    await until('relayed outbox rows pruned', async () =>
      Object.values({ ...(await outboxRows('old')), ...(await outboxRows('open')) }).every((n) => n === 0),
    );
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
    const metrics = await (await fetch(`${hub.gatewayUrl}/metrics`, { headers: METRICS_AUTH })).text();
    expect(metrics).toMatch(/mash_retention_rows_total\{table="gateway.contacts"\} 1/);
  }, 40000);

  it('a legal hold set by a signed-in manager blocks every purge in every service, audited, until it is lifted', async () => {
    // A decision maker who is not a manager cannot set one.
    const tom = (await signIn(hub.identity, 'dm-tom.okafor', 'demo-tom')).accessToken;
    expect((await hold(tom, { held: true, reason: 'Care proceedings issued for this family.' })).status).toBe(403);
    // A hold without its reason is refused, naming the field.
    const bare = await hold(TEST_TOKENS.manager, { held: true });
    expect(bare.status).toBe(422);
    expect(JSON.stringify(await bare.json())).toContain('/reason');

    const set = await hold(TEST_TOKENS.manager, { held: true, reason: 'Care proceedings issued; the court has asked for the record.' });
    expect(set.status).toBe(201);
    expect(await set.json()).toMatchObject({ caseId: cases.held, held: true });
    // The hold reaches every service that purges.
    await until('hold in every service', async () => {
      const n = (
        await pg.query(
          `SELECT ${SCHEMAS.map((s) => `(SELECT count(*)::int FROM ${s}.legal_holds WHERE case_id = $1 AND held) AS "${s}"`).join(', ')}`,
          [cases.held],
        )
      ).rows[0];
      return SCHEMAS.every((s) => n[s] === 1);
    });
    for (const schema of SCHEMAS) {
      const { rows } = await pg.query(`SELECT principal FROM ${schema}.disclosure_audit WHERE action = 'legal-hold-set' AND case_id = $1`, [
        cases.held,
      ]);
      expect({ schema, principals: rows.map((r) => r.principal) }).toEqual({ schema, principals: ['dm-amina.shah'] });
    }

    // Now the held case is past retention everywhere, and its events were relayed long ago.
    await pg.query('BEGIN');
    await pg.query(`UPDATE gateway.decisions SET recorded_at = $2 WHERE case_id = $1`, [cases.held, LONG_AGO]);
    await pg.query(`UPDATE gateway.contact_status SET decided_at = $2 WHERE case_id = $1`, [cases.held, LONG_AGO]);
    await pg.query(`UPDATE triage.cases SET decided_at = $2 WHERE case_id = $1`, [cases.held, LONG_AGO]);
    await pg.query(`UPDATE checks.cases SET decided_at = $2 WHERE case_id = $1`, [cases.held, LONG_AGO]);
    await pg.query(`UPDATE notifier.decisions SET published_at = $2 WHERE case_id = $1`, [cases.held, LONG_AGO]);
    await seedOutbox('held');
    await pg.query('COMMIT');
    const before = await runs();
    await until('three more runs in every service', async () => {
      const now = await runs();
      return SCHEMAS.every((s) => now[s] >= before[s] + 3);
    });
    const kept = await content('held');
    expect(kept).toEqual(Object.fromEntries(Object.keys(kept).map((key) => [key, true])));
    expect(await outboxRows('held')).toEqual(Object.fromEntries(SCHEMAS.map((s) => [s, 1])));
    // Each run says how many cases it found on hold.
    const [last] = (
      await pg.query(`SELECT detail FROM triage.disclosure_audit WHERE action = 'retention-run' ORDER BY at DESC, id DESC LIMIT 1`)
    ).rows;
    expect(last.detail.casesOnHold).toBe(1);

    const lift = await hold(TEST_TOKENS.manager, { held: false, reason: 'Proceedings concluded; the hold is no longer needed.' });
    expect(lift.status).toBe(201);
    await until(
      'held case purged everywhere once the hold is lifted',
      async () => {
        const c = await content('held');
        return Object.values(c).every((v) => !v) && Object.values(await outboxRows('held')).every((n) => n === 0);
      },
      40000,
    );
    for (const schema of SCHEMAS) {
      const { rows } = await pg.query(
        `SELECT count(*)::int AS n FROM ${schema}.disclosure_audit WHERE action = 'legal-hold-lifted' AND case_id = $1`,
        [cases.held],
      );
      expect({ schema, n: rows[0].n }).toEqual({ schema, n: 1 });
    }
  }, 120000);
});
