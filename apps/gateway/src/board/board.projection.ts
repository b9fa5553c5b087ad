import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CaseRated, CaseReady, CheckAgency, CheckChased, CheckReplied } from '@mash/contracts';
import { AgencyAtReadiness, boardRows, PlannedCheck } from './board.repository';

/**
 * Keeps gateway.board_agency_status from the events that say where each agency's reply stands.
 * The events come from several topics in no fixed order (a reply can be handled before the rating
 * that planned it), so every write is an upsert of its own columns only and the order does not
 * matter. Writes run in the handler's transaction, with the inbox, so a redelivery changes nothing;
 * the rating's and readiness's rows go in the statement that writes the case (boardWithCase).
 */
@Injectable()
export class BoardProjection {
  /**
   * The check plan: which agencies are asked, and by when (a start rating with checks; a revision
   * that adds checks plans them too). Written with the case (StatusProjection.rated).
   */
  plannedChecks(e: CaseRated): PlannedCheck[] {
    if (e.stage !== 'start') return [];
    return e.checkPlan.map((p) => ({ agency: p.agency, dueAt: p.dueAt }));
  }

  /**
   * Readiness, and each revision after it: who replied, who is missing, who was late. Written with
   * the case (StatusProjection.ready).
   */
  readiness(e: CaseReady): AgencyAtReadiness[] {
    const after = e.repliedAfterReady ?? [];
    const late = new Set<CheckAgency>([...(e.late ?? []), ...after]);
    const agencies = [...new Set<CheckAgency>([...e.replied, ...e.missing, ...late])];
    const missing = new Set(e.missing.filter((a) => !after.includes(a)));
    return agencies.map((a) => ({ agency: a, missing: missing.has(a), late: late.has(a) }));
  }

  /** Reminders to the agency, escalations to the manager, and replies refused as malformed. */
  async chased(e: CheckChased, m: EntityManager): Promise<void> {
    const reminder = e.kind === 'reminder' ? 1 : 0;
    const refused = e.kind === 'malformed-reply' ? 1 : 0;
    await boardRows.chased(m, e, { reminders: reminder, refusedReplies: refused });
  }

  /**
   * A reply arrived. Only that it came, when, and whether the agency knew the family: never its
   * entries, which are the checks service's to keep and the decision maker's to read.
   */
  async replied(
    agency: CheckAgency,
    e: Pick<CheckReplied, 'caseId' | 'requestId' | 'repliedAt' | 'known'>,
    m: EntityManager,
  ): Promise<void> {
    await boardRows.replied(m, agency, e);
  }
}
