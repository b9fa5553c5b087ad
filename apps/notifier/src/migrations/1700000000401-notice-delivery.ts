import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the delivery worker, the replay command and the digest need. Contact and rating arrive on
 * different topics (and partitions), so neither can assume the other came first: the case a
 * contact joined gets its own table instead of an UPDATE that silently misses a row not yet there.
 */
export class NoticeDelivery1700000000401 implements MigrationInterface {
  name = 'NoticeDelivery1700000000401';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE notifier.case_contacts (
      contact_id text PRIMARY KEY,
      case_id text NOT NULL,
      deadline timestamptz,
      rated_at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX case_contacts_case ON notifier.case_contacts (case_id)`);
    await q.query(`INSERT INTO notifier.case_contacts (contact_id, case_id, rated_at)
      SELECT contact_id, case_id, received_at FROM notifier.referrers WHERE case_id IS NOT NULL ON CONFLICT DO NOTHING`);
    await q.query(`ALTER TABLE notifier.referrers DROP COLUMN case_id`);
    // Decisions are kept so that a contact or a contributor learnt after the decision is still told.
    await q.query(`CREATE TABLE notifier.decisions (
      decision_id text PRIMARY KEY,
      case_id text NOT NULL,
      body jsonb NOT NULL,
      published_at timestamptz NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX decisions_case ON notifier.decisions (case_id)`);
    // agency: whose notice topic (for topic channels and dead letters) and whose webhook secret.
    await q.query(`ALTER TABLE notifier.notices
      ADD COLUMN agency text,
      ADD COLUMN source_published_at timestamptz,
      ADD COLUMN replays integer NOT NULL DEFAULT 0,
      ADD COLUMN dead_lettered_at timestamptz`);
    await q.query(`CREATE INDEX notices_dead ON notifier.notices (dead_lettered_at) WHERE status = 'dead-lettered'`);
    await q.query(`CREATE INDEX notices_recipient_day ON notifier.notices (recipient, created_at) WHERE kind = 'outcome'`);
    // Every attempt's receipt, kept: the notice row holds only the latest state.
    await q.query(`CREATE TABLE notifier.delivery_attempts (
      seq bigserial PRIMARY KEY,
      notice_id text NOT NULL REFERENCES notifier.notices (notice_id),
      attempt integer NOT NULL,
      channel text NOT NULL,
      status text NOT NULL,
      detail text,
      at timestamptz NOT NULL
    )`);
    await q.query(`CREATE INDEX delivery_attempts_notice ON notifier.delivery_attempts (notice_id)`);
    await q.query(`CREATE TABLE notifier.replays (
      seq bigserial PRIMARY KEY,
      notice_id text NOT NULL REFERENCES notifier.notices (notice_id),
      requested_by text NOT NULL,
      reason text,
      requested_at timestamptz NOT NULL DEFAULT now()
    )`);
    // One row per (organisation, London day): the claim that makes a digest go out once, across restarts and replicas.
    await q.query(`CREATE TABLE notifier.digests (
      organisation text NOT NULL,
      day date NOT NULL,
      address text,
      notice_ids jsonb NOT NULL,
      text text NOT NULL,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead-lettered', 'no-channel')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_error text,
      delivered_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (organisation, day)
    )`);
  }
  async down(q: QueryRunner): Promise<void> {
    for (const t of ['digests', 'replays', 'delivery_attempts', 'decisions']) await q.query(`DROP TABLE IF EXISTS notifier.${t}`);
    await q.query(
      `ALTER TABLE notifier.notices DROP COLUMN agency, DROP COLUMN source_published_at, DROP COLUMN replays, DROP COLUMN dead_lettered_at`,
    );
    await q.query(`ALTER TABLE notifier.referrers ADD COLUMN case_id text`);
    await q.query(`UPDATE notifier.referrers r SET case_id = c.case_id FROM notifier.case_contacts c WHERE c.contact_id = r.contact_id`);
    await q.query(`DROP TABLE IF EXISTS notifier.case_contacts`);
  }
}
