import { DataSource, EntityManager } from 'typeorm';
import { Envelope } from '@mash/contracts';
import { affectedRows, dataKeys, rowsOf, StatementPart } from '@mash/at-rest';

export interface OutboxInsertRow {
  id: string;
  topic: string;
  key: string;
  sealed: unknown;
  caseId: string | null;
}

/** An unsent outbox row as the relay reads it: the value still sealed. */
export interface UnsentOutboxRow {
  seq: string;
  topic: string;
  key: string;
  value: unknown;
  traceparent: string | null;
}

/**
 * A schema's outbox table (Outbox writes and relays it). Every statement runs on the manager it is
 * given, so a write joins the caller's transaction and the relay's reads, lock and mark share one.
 */
export const outboxRows = {
  /** Events already sealed, in one statement; an id written before is left as it was. */
  async insert(manager: EntityManager, schema: string, rows: OutboxInsertRow[], traceparent: string | null): Promise<void> {
    const { sql, params } = outboxRows.insertPart(schema, rows, traceparent)(1, 'true');
    await manager.query(sql, params);
  },

  /** The same insert as a part of another repository's statement. */
  insertPart(schema: string, rows: OutboxInsertRow[], traceparent: string | null): StatementPart {
    return (first, when) => ({
      sql: `INSERT INTO "${schema}".outbox (id, topic, key, value, case_id, traceparent)
       SELECT *, $${first + 5}::text FROM unnest($${first}::text[], $${first + 1}::text[], $${first + 2}::text[], $${first + 3}::jsonb[], $${first + 4}::text[])
       WHERE ${when} ON CONFLICT (id) DO NOTHING`,
      params: [
        rows.map((r) => r.id),
        rows.map((r) => r.topic),
        rows.map((r) => r.key),
        rows.map((r) => JSON.stringify(r.sealed)),
        rows.map((r) => r.caseId),
        traceparent,
      ],
    });
  },

  /** The relay's lock for the rest of `m`'s transaction: false when another replica relays. */
  async tryRelayLock(m: EntityManager, lockKey: number): Promise<boolean> {
    const [{ locked }] = await m.query(`SELECT pg_try_advisory_xact_lock($1) AS locked`, [lockKey]);
    return locked === true;
  },

  async unsent(m: EntityManager, schema: string, limit: number): Promise<UnsentOutboxRow[]> {
    return m.query(`SELECT seq, topic, key, value, traceparent FROM "${schema}".outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1`, [
      limit,
    ]);
  },

  async markPublished(m: EntityManager, schema: string, seqs: string[]): Promise<void> {
    await m.query(`UPDATE "${schema}".outbox SET published_at = now() WHERE seq = ANY($1::bigint[])`, [seqs]);
  },

  /** Whether anything waits to be sent: one cheap look, outside any transaction and lock. */
  async anyUnsent(ds: DataSource, schema: string): Promise<boolean> {
    const rows: unknown[] = await ds.query(`SELECT 1 FROM "${schema}".outbox WHERE published_at IS NULL LIMIT 1`);
    return rows.length > 0;
  },

  async backlog(ds: DataSource, schema: string): Promise<number> {
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM "${schema}".outbox WHERE published_at IS NULL`);
    return n;
  },
};

/** The envelope's JSON text from an outbox row's value: sealed, or plain as written before sealing. */
export function outboxValueText(value: unknown): string {
  return typeof value === 'string' ? dataKeys().open(value) : JSON.stringify(value);
}

/**
 * The envelopes in a schema's outbox on a topic (or topics LIKE a pattern), opened, oldest first:
 * what tests and operators read instead of the sealed column.
 */
export async function outboxEnvelopes<T = unknown>(
  db: { query(sql: string, params?: unknown[]): Promise<unknown> },
  schema: string,
  q: { topic?: string; topicLike?: string; key?: string } = {},
): Promise<Envelope<T>[]> {
  const res = await db.query(
    `SELECT value FROM "${schema}".outbox WHERE ($1::text IS NULL OR topic = $1) AND ($2::text IS NULL OR topic LIKE $2) AND ($3::text IS NULL OR key = $3) ORDER BY seq`,
    [q.topic ?? null, q.topicLike ?? null, q.key ?? null],
  );
  return rowsOf<{ value: unknown }>(res).map((r) => JSON.parse(outboxValueText(r.value)) as Envelope<T>);
}

/**
 * Deletes up to `batch` rows of the outbox that were relayed more than `keepMs` ago (by the
 * database's clock, read inside the statement) and whose case is not kept by `heldSql` (the
 * caller's legal-hold test on a case id: the key, and the event's own caseId, kept in `case_id` at
 * `addMany` because the sealed envelope is unreadable to SQL, where the key is
 * another id). An unsent row is never touched: it has not reached Kafka yet. Returns how many.
 */
export async function pruneRelayedOutbox(
  m: EntityManager,
  schema: string,
  opts: { keepMs: number; batch: number; heldSql: (caseIdSql: string) => string },
): Promise<number> {
  const result: unknown = await m.query(
    `DELETE FROM "${schema}".outbox WHERE seq IN (
       SELECT o.seq FROM "${schema}".outbox o
       WHERE o.published_at IS NOT NULL AND o.published_at < clock_timestamp() - make_interval(secs => $1::double precision / 1000)
         AND NOT ${opts.heldSql('o.key')} AND NOT ${opts.heldSql('o.case_id')}
       ORDER BY o.seq LIMIT $2)`,
    [opts.keepMs, opts.batch],
  );
  return affectedRows(result);
}
