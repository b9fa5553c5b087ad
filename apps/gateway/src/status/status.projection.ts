import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CaseRated, CaseReady, DecisionRecorded, NoticeDelivered, TeamsAlerted } from '@mash/contracts';
import { NotReadyYet } from '@mash/messaging';
import { Stage } from './stages';
import { CaseDecisionFacts, statusRows } from './status.repository';

interface Step {
  at: string;
  stage: Stage;
}

/**
 * The gateway's view of where each contact stands, built from the other services' events.
 *
 * A case can have several contacts: a second agency's report of the same incident joins the case
 * of the first. What happens to the case (checks, teams alerted, ready, re-rated, decided) is kept
 * once on gateway.cases, with its own history, and applied to every contact attached to the case;
 * a contact that joins later takes the case's progress so far. What happens to one contact (its
 * own rating, its referrer's notice) stays on that contact.
 *
 * Every handler that changes a case's contacts first locks the case row (the upsert or UPDATE of
 * gateway.cases), and only then reads or writes the contacts. So a contact attaching and a case
 * moving on are serialised: the attach sees every step committed before it, and every later step
 * sees the attached contact. Stages only move forward (stages.ts), computed on the row as the
 * UPDATE holds it, so parallel or reordered events end in the same state.
 */
@Injectable()
export class StatusProjection {
  async rated(e: CaseRated, at: string, m: EntityManager): Promise<void> {
    const step = caseStepOf(e, at);
    const entry = JSON.stringify(step ? [step] : []);
    // Events for one case share its key and partition, so the latest rating handled is the latest made.
    await statusRows.upsertCaseRating(m, e, step?.stage ?? null, entry);
    // The rating and deadline are the case's: every referrer of the case sees them.
    await statusRows.rateCaseContacts(m, e, step?.stage ?? null, entry);
    // The contact this rating is about attaches to its case and catches up with it.
    const own = JSON.stringify(step ? [] : [{ at, stage: 'rated' }]);
    const attached = await statusRows.attachContact(m, e.caseId, e.contactId, own);
    if (!attached) {
      // The contact is accepted at this gateway before triage hears of it, so this is a replay
      // into a gateway that lost it, or the outbox not committed yet: try again later.
      if (!(await statusRows.contactKnown(m, e.contactId)))
        throw new NotReadyYet(`no contact yet for the rating of case ${e.caseId} (contact ${e.contactId})`);
    }
  }

  /**
   * Red: teams informed. The alert travels on its own topic and often arrives before the rating
   * that creates the case here; waiting for it held the alert's partition in retries (a 10,000
   * contact burst stalled the gateway) and then parked the alert. So without the case yet, the step
   * goes straight onto the alerted contact, forward only, under its row lock.
   */
  async teamsAlerted(e: TeamsAlerted, at: string, m: EntityManager): Promise<void> {
    const step = { at, stage: 'teams-informed' as const };
    if (await statusRows.lockCase(m, e.caseId)) return this.caseStep(m, e.caseId, step);
    if (!(await statusRows.contactStep(m, e.contactId, step)))
      throw new NotReadyYet(`no contact yet for the teams alert (contact ${e.contactId})`);
  }

  /** Readiness, and each revision of the picture after it. */
  async ready(e: CaseReady, at: string, m: EntityManager): Promise<void> {
    const ready = await statusRows.caseReady(m, e);
    if (!ready) throw new NotReadyYet(`case ${e.caseId} not rated yet`);
    // Read under the row lock taken just above, so a decision recorded meanwhile is seen. A picture
    // after the decision (a late reply, a revised plan, readiness after an urgent decision) updates
    // what the case shows and is not a step of the journey.
    const decided = ready.decided;
    await this.caseStep(m, e.caseId, decided ? undefined : { at, stage: 'ready-for-decision' });
  }

  async decided(e: DecisionRecorded, at: string, m: EntityManager): Promise<void> {
    await this.caseStep(m, e.caseId, { at, stage: 'decided' }, { decidedAt: e.decidedAt, outcomes: e.outcomes });
  }

  /** A receipt of one referrer's outcome notice: that contact's alone. */
  async noticed(e: NoticeDelivered, at: string, m: EntityManager): Promise<void> {
    if (e.kind !== 'outcome' || !e.contactId) return;
    const stage: Stage =
      e.status === 'delivered' ? 'referrer-informed' : e.status === 'no-channel' ? 'no-referrer-channel' : 'notice-failed';
    const updated = await statusRows.contactNotice(m, e.contactId, {
      stage,
      informedAt: e.status === 'delivered' ? e.at : null,
      status: e.status,
      at,
    });
    if (!updated) throw new NotReadyYet(`no contact yet for the notice receipt (contact ${e.contactId})`);
  }

  /**
   * A step of the case: recorded on the case row (locking it), with the facts the event adds, then
   * applied to every contact attached to the case, which also take the case's facts as they now are.
   */
  private async caseStep(m: EntityManager, caseId: string, step: Step | undefined, decision?: CaseDecisionFacts): Promise<void> {
    const entry = JSON.stringify(step ? [step] : []);
    if (!(await statusRows.caseStep(m, caseId, step?.stage ?? null, entry, decision)))
      throw new NotReadyYet(`case ${caseId} not rated yet`);
    await statusRows.caseContactsCatchUp(m, caseId, step?.stage ?? null, entry);
  }
}

/**
 * What a rating says about the case as a whole, if anything: a start rating that plans checks (the
 * first, or a revision that adds checks), a first start rating with nothing to check, or the
 * re-rating at the end of checks. A report that joins a case and asks no agency changes nothing
 * for the case: it only attaches its contact.
 */
export function caseStepOf(e: CaseRated, at: string): Step | undefined {
  if (e.stage === 'end') return { at, stage: 're-rated' };
  if (e.checkPlan.length) return { at, stage: 'checks-in-progress' };
  if (!e.duplicateOf && (e.revision ?? 1) <= 1) return { at, stage: 'rated' };
  return undefined;
}
