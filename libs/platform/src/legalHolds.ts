import { EntityManager } from 'typeorm';
import type { LegalHold } from '@mash/contracts';
import { recordDisclosure } from './disclosureAudit.repository';
import { upsertLegalHold } from './legalHolds.repository';
export { legalHoldsMigration } from './legalHolds.migration';

/**
 * Legal holds as each service knows them (docs/retention.md). The gateway records a manager's hold
 * and publishes it on mash.case.legal-hold.v1; every service keeps the latest hold per case in its
 * own `legal_holds` table, and its retention run reads that table under a lock that hold writes
 * wait for (RetentionJob), so a purge never acts on a hold state read before it.
 */
/**
 * SQL that is true when the case named by `caseIdSql` is under a hold in `schema`; for the WHERE
 * clause of a purge (`AND NOT ${heldSql(...)}`).
 */
export function heldSql(schema: string, caseIdSql: string): string {
  return `EXISTS (SELECT 1 FROM "${schema}".legal_holds lh WHERE lh.case_id = ${caseIdSql} AND lh.held)`;
}

/**
 * Applies a hold set or lifted. Holds for one case travel on one partition in order, but a
 * replay can bring an older one back: the later recordedAt wins, decided inside the upsert rather
 * than from a read before it. Audited in this service's chain as applied (or as stale).
 */
export async function applyLegalHold(m: EntityManager, schema: string, h: LegalHold): Promise<boolean> {
  const applied = await upsertLegalHold(m, schema, h);
  await recordDisclosure(m, schema, {
    principal: h.principal,
    action: h.held ? 'legal-hold-set' : 'legal-hold-lifted',
    caseId: h.caseId,
    detail: { holdId: h.holdId, recordedAt: h.recordedAt, applied },
  });
  return applied;
}
