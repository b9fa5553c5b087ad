import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { affectedRows, openJsonb, sealedJsonb } from '@mash/at-rest';
import { CheckAgency, CheckReplied } from '@mash/contracts';
import { heldSql } from '@mash/platform';

/** A reply as stored, with the due time of the request it answered. */
export interface StoredReply {
  caseId: string;
  agency: CheckAgency;
  receivedAt: Date;
  body: CheckReplied;
  dueAt: Date;
}

/**
 * checks.replies (what agencies said: case content, stripped by retention) and checks.alerts
 * (replies refused before they reached checks). The picture of a case is built from these.
 */
@Injectable()
export class RepliesRepository {
  async insert(m: EntityManager, reply: CheckReplied, receivedAt: Date): Promise<void> {
    await m.query(`INSERT INTO checks.replies (request_id, case_id, agency, received_at, body) VALUES ($1, $2, $3, $4, $5)`, [
      reply.requestId,
      reply.caseId,
      reply.agency,
      receivedAt,
      // What the agency said is case content: sealed at rest (docs/architecture.md, "Encryption at rest").
      sealedJsonb(reply),
    ]);
  }

  /** Every reply to these cases, to whichever request. */
  async ofCases(m: EntityManager, caseIds: string[]): Promise<StoredReply[]> {
    const rows: { case_id: string; agency: CheckAgency; received_at: Date; body: unknown; due_at: Date }[] = await m.query(
      `SELECT p.case_id, p.agency, p.received_at, p.body, r.due_at FROM checks.replies p JOIN checks.requests r USING (request_id) WHERE p.case_id = ANY($1)`,
      [caseIds],
    );
    return rows.map((r) => ({
      caseId: r.case_id,
      agency: r.agency,
      receivedAt: new Date(r.received_at),
      body: openJsonb<CheckReplied>(r.body),
      dueAt: new Date(r.due_at),
    }));
  }

  /** Deletes up to `batch` replies of cases retention pruned (a hold set since keeps them); returns how many. */
  async deleteOfPrunedCases(m: EntityManager, batch: number): Promise<number> {
    return affectedRows(
      await m.query(
        `DELETE FROM checks.replies WHERE request_id IN (
           SELECT p.request_id FROM checks.replies p JOIN checks.cases c USING (case_id) WHERE c.pruned_at IS NOT NULL AND NOT ${heldSql('checks', 'c.case_id')} LIMIT $1)`,
        [batch],
      ),
    );
  }

  /**
   * Records a refused reply once per place it sat in (topic, partition, offset); false when that
   * letter was recorded already.
   */
  async raiseAlert(
    m: EntityManager,
    a: { caseId: string; requestId: string; agency: CheckAgency; reason: string; topic: string; partition: number; offset: string },
  ): Promise<boolean> {
    const raised: unknown[] = await m.query(
      `INSERT INTO checks.alerts (case_id, request_id, agency, kind, reason, original_topic, original_partition, original_offset)
       VALUES ($1, $2, $3, 'malformed-reply', $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id`,
      [a.caseId, a.requestId, a.agency, a.reason, a.topic, a.partition, a.offset],
    );
    return raised.length > 0;
  }
}
