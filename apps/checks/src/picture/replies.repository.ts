import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { affectedRows } from '@mash/at-rest';
import { CheckAgency } from '@mash/contracts';
import { heldSql } from '@mash/platform';

/**
 * checks.replies (what agencies said: case content, stripped by retention) and checks.alerts
 * (replies refused before they reached checks). Replies are stored, and read for a case's
 * picture, by PictureRepository.
 */
@Injectable()
export class RepliesRepository {
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
