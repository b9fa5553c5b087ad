import { dataKeys } from '@mash/at-rest';
import { checkRequestedTopic, LegalHold, TOPICS } from '@mash/contracts';
import { validExamples } from '@mash/contracts/examples';
import { envelopeFor, KafkaPort, messagingCaseIdMigration, Outbox } from '@mash/messaging';
import { createServiceDb, ServiceDb } from '../../../test/support/serviceDb';
import { disclosureAuditMigrationsFor } from './disclosureAudit.migration';
import { applyLegalHold } from './legalHolds';
import { legalHoldsMigration } from './legalHolds.migration';
import { outboxRetentionStep } from './retention';

/**
 * Retention of relayed outbox rows under a legal hold, on real Postgres with sealed envelopes
 * (docs/retention.md): an event keyed by another id than its case (a contact id, an agency
 * request id) is kept while its case is held, and goes like any other once it is not.
 */
const SCHEMA = 'obprune';
const HELD = 'case-held-1';
const FREE = 'case-free-1';
let db: ServiceDb;
// The relay is never started: these rows are marked relayed by hand.
let outbox: Outbox;

beforeAll(async () => {
  db = await createServiceDb('mash_obprune', SCHEMA, [legalHoldsMigration(SCHEMA, 1700000001300), ...disclosureAuditMigrationsFor(SCHEMA)]);
  outbox = new Outbox(db.ds, {} as KafkaPort, SCHEMA, 'spec');
}, 60000);

afterAll(async () => {
  await db?.drop();
});

const rated = (caseId: string) => ({ ...validExamples.caseRated, caseId, contactId: `ct-${caseId}` });
const requested = (caseId: string) => ({ ...validExamples.checkRequested, caseId, requestId: `req-${caseId}` });
const hold = (holdId: string, held: boolean, at: number): LegalHold => ({
  holdId,
  caseId: HELD,
  held,
  recordedAt: new Date(at).toISOString(),
  recordedBy: { name: 'A Manager', role: 'MASH manager' },
  principal: 'mash-manager',
  reason: 'court proceedings',
});
const left = async () => (await db.ds.query(`SELECT id FROM "${SCHEMA}".outbox ORDER BY id`)).map((r: { id: string }) => r.id);

it("keeps a held case's relayed events keyed by a contact or request id, and prunes an unheld case's", async () => {
  await db.ds.transaction((m) =>
    outbox.addMany<unknown>(m, [
      { id: 'held-by-contact', topic: TOPICS.caseRated, key: `ct-${HELD}`, data: rated(HELD) },
      { id: 'held-by-request', topic: checkRequestedTopic('health'), key: `req-${HELD}`, data: requested(HELD) },
      { id: 'free-by-contact', topic: TOPICS.caseRated, key: `ct-${FREE}`, data: rated(FREE) },
      { id: 'free-by-request', topic: checkRequestedTopic('health'), key: `req-${FREE}`, data: requested(FREE) },
    ]),
  );
  // The envelopes are sealed at rest: no SQL can read the case id out of them.
  const kinds = await db.ds.query(`SELECT DISTINCT jsonb_typeof(value) AS t FROM "${SCHEMA}".outbox`);
  expect(kinds).toEqual([{ t: 'string' }]);
  await db.ds.query(`UPDATE "${SCHEMA}".outbox SET published_at = now() - interval '1 hour'`);
  await db.ds.transaction((m) => applyLegalHold(m, SCHEMA, hold('LH-1', true, Date.now())));

  const pruned = await db.ds.transaction((m) => outboxRetentionStep(SCHEMA, 0).run(m, new Date(), 100));

  expect(await left()).toEqual(['held-by-contact', 'held-by-request']);
  expect(pruned).toBe(2);

  // The hold lifted, the next run takes them too.
  await db.ds.transaction((m) => applyLegalHold(m, SCHEMA, hold('LH-2', false, Date.now() + 1000)));
  await db.ds.transaction((m) => outboxRetentionStep(SCHEMA, 0).run(m, new Date(), 100));
  expect(await left()).toEqual([]);
});

it('fills case_id for the rows already in an outbox made before it, sealed or plain', async () => {
  const q = db.ds.createQueryRunner();
  try {
    await q.query(`ALTER TABLE "${SCHEMA}".outbox DROP COLUMN case_id`);
    const sealed = envelopeFor({ topic: TOPICS.caseRated, key: `ct-${HELD}`, data: rated(HELD) }, 'spec');
    const plain = envelopeFor({ topic: checkRequestedTopic('health'), key: `req-${FREE}`, data: requested(FREE) }, 'spec');
    const noCase = envelopeFor({ topic: TOPICS.contactReceived, key: 'ct-x', data: validExamples.contactReceived }, 'spec');
    await q.query(
      `INSERT INTO "${SCHEMA}".outbox (id, topic, key, value) VALUES ('old-sealed', $1, $2, $3), ('old-plain', $4, $5, $6), ('old-no-case', $7, $8, $9)`,
      [
        sealed.type,
        sealed.key,
        JSON.stringify(dataKeys().sealJson(sealed)),
        plain.type,
        plain.key,
        JSON.stringify(plain),
        noCase.type,
        noCase.key,
        JSON.stringify(dataKeys().sealJson(noCase)),
      ],
    );
    const Migration = messagingCaseIdMigration(SCHEMA);
    await new Migration().up(q);
    const rows = await q.query(`SELECT id, case_id FROM "${SCHEMA}".outbox ORDER BY id`);
    expect(rows).toEqual([
      { id: 'old-no-case', case_id: null },
      { id: 'old-plain', case_id: FREE },
      { id: 'old-sealed', case_id: HELD },
    ]);
  } finally {
    await q.release();
  }
});
