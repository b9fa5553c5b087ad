import { Injectable } from '@nestjs/common';
import { openJsonb, sealedJsonb } from '@mash/at-rest';
import { DataSource, EntityManager } from 'typeorm';
import type { DecisionRecorded, Rating } from '@mash/contracts';

/** What a decision or a consent override needs to know of a case, read under its row lock. */
export interface LockedCase {
  caseId: string;
  contactId: string;
  rating: Rating;
  ready: boolean;
  decisionId: string | null;
  policyVersion: string;
  /** The neighbouring MASH triage flagged as the one that should hold the case, if any. */
  outOfAreaHub: string | null;
}

/**
 * The gateway's cases as decision makers act on them. Every check a decision or an override makes
 * (decided already? ready?) is made on the row this lock returns, in the transaction that then
 * writes: two decisions sent together cannot both pass.
 */
@Injectable()
export class CasesRepository {
  constructor(private readonly ds: DataSource) {}

  async lock(m: EntityManager, caseId: string): Promise<LockedCase | undefined> {
    const [c] = await m.query(
      `SELECT case_id, contact_id, rating, ready, decision_id, policy_version, rating_start->'outOfArea'->'hub'->>'id' AS out_of_area_hub FROM gateway.cases WHERE case_id = $1 FOR UPDATE`,
      [caseId],
    );
    if (!c) return undefined;
    return {
      caseId: c.case_id,
      contactId: c.contact_id,
      rating: c.rating,
      ready: c.ready,
      decisionId: c.decision_id,
      policyVersion: c.policy_version,
      outOfAreaHub: c.out_of_area_hub ?? null,
    };
  }

  /** The decision recorded on a case, as it was published. */
  async decision(caseId: string): Promise<DecisionRecorded | undefined> {
    const [row] = await this.ds.query(`SELECT body FROM gateway.decisions WHERE case_id = $1`, [caseId]);
    return row ? openJsonb<DecisionRecorded>(row.body) : undefined;
  }

  /** The decision, and the case marked decided; the caller holds the lock from lock(). */
  async recordDecision(m: EntityManager, decision: DecisionRecorded, recordedBy: string): Promise<void> {
    await m.query(`INSERT INTO gateway.decisions (decision_id, case_id, recorded_by, body) VALUES ($1, $2, $3, $4)`, [
      decision.decisionId,
      decision.caseId,
      recordedBy,
      sealedJsonb(decision),
    ]);
    await m.query(`UPDATE gateway.cases SET decision_id = $2, updated_at = now() WHERE case_id = $1`, [
      decision.caseId,
      decision.decisionId,
    ]);
  }
}
