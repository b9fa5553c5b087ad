import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Timers get the stable key chaseSchedule gives them, so every request of a case can insert its
 * schedule and the case keeps one case deadline, and a redelivered rating inserts nothing new.
 * Timers carry their agency and due time, so firing a reminder reads no other table.
 * Also: the picture's revision number, and alerts for replies that could not be accepted.
 */
export class ChecksTimerKeys1700000000310 implements MigrationInterface {
  name = 'ChecksTimerKeys1700000000310';
  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE checks.timers ADD COLUMN key text, ADD COLUMN agency text, ADD COLUMN due_at timestamptz`);
    // Rows from the skeleton: one case deadline per case, one escalation per request.
    await q.query(
      `UPDATE checks.timers t SET key = CASE WHEN t.kind = 'case-deadline' THEN t.case_id || ':case-deadline' ELSE t.request_id || ':' || t.kind || ':' || t.id END`,
    );
    await q.query(
      `UPDATE checks.timers t SET agency = r.agency, due_at = r.due_at FROM checks.requests r WHERE r.request_id = t.request_id`,
    );
    await q.query(`ALTER TABLE checks.timers ALTER COLUMN key SET NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX timers_key ON checks.timers (key)`);
    // A reply cancels its request's pending timers and readiness its case's: both look only at
    // pending rows, which stay few while fired history grows.
    await q.query(
      `CREATE INDEX timers_pending_request ON checks.timers (request_id) WHERE fired_at IS NULL AND cancelled_at IS NULL AND request_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX timers_pending_case ON checks.timers (case_id) WHERE fired_at IS NULL AND cancelled_at IS NULL`);

    // 0 = not ready yet; 1 = the picture at readiness; each reply after that adds one.
    await q.query(`ALTER TABLE checks.cases ADD COLUMN revision integer NOT NULL DEFAULT 0`);
    await q.query(`UPDATE checks.cases SET revision = 1 WHERE ready_at IS NOT NULL`);
    await q.query(`CREATE INDEX replies_case ON checks.replies (case_id)`);

    // A reply parked in the dead-letter topic (contract broken, or not matching its request): the
    // agency still counts as not replied. Keyed by where the reply sat, so a letter parked twice
    // raises one alert.
    await q.query(`CREATE TABLE checks.alerts (
      id bigserial PRIMARY KEY,
      case_id text NOT NULL REFERENCES checks.cases(case_id),
      request_id text NOT NULL REFERENCES checks.requests(request_id),
      agency text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('malformed-reply')),
      reason text NOT NULL,
      original_topic text NOT NULL,
      original_partition integer NOT NULL,
      original_offset text NOT NULL,
      raised_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (original_topic, original_partition, original_offset)
    )`);
    await q.query(`CREATE INDEX alerts_case ON checks.alerts (case_id)`);
  }
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS checks.alerts`);
    await q.query(`DROP INDEX IF EXISTS checks.replies_case`);
    await q.query(`ALTER TABLE checks.cases DROP COLUMN IF EXISTS revision`);
    await q.query(`DROP INDEX IF EXISTS checks.timers_pending_case`);
    await q.query(`DROP INDEX IF EXISTS checks.timers_pending_request`);
    await q.query(`DROP INDEX IF EXISTS checks.timers_key`);
    await q.query(`ALTER TABLE checks.timers DROP COLUMN IF EXISTS due_at, DROP COLUMN IF EXISTS agency, DROP COLUMN IF EXISTS key`);
  }
}
