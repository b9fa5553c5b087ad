import { EntityManager } from 'typeorm';
import type { LegalHold } from '@mash/contracts';

/**
 * Writes a hold set or lifted into `schema`'s legal_holds, in the caller's transaction. The later
 * recordedAt wins, decided inside the upsert rather than from a read before it; true when this
 * hold was applied, false when a later one was already there.
 */
export async function upsertLegalHold(m: EntityManager, schema: string, h: LegalHold): Promise<boolean> {
  const rows: unknown[] = await m.query(
    `INSERT INTO "${schema}".legal_holds AS l (case_id, held, hold_id, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (case_id) DO UPDATE SET held = EXCLUDED.held, hold_id = EXCLUDED.hold_id, recorded_at = EXCLUDED.recorded_at,
       recorded_by = EXCLUDED.recorded_by, applied_at = now()
     WHERE l.recorded_at <= EXCLUDED.recorded_at
     RETURNING case_id`,
    [h.caseId, h.held, h.holdId, h.recordedAt, h.principal],
  );
  return rows.length === 1;
}
