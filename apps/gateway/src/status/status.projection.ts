import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CaseRated, CaseReady, DecisionRecorded, NoticeDelivered, TeamsAlerted } from '@mash/contracts';
import { NotReadyYet } from '@mash/messaging';
import { Stage } from './stages';
import { BoardProjection } from '../board/board.projection';
import { CaseChange, CaseWrite, statusRows } from './status.repository';

/**
 * What the projection's early events say when they find nothing to write to: a readiness or a
 * decision before the case's rating, an alert or a notice receipt before the contact. Nothing is
 * written by then, so a run sets the event aside and keeps the rest (transport.ts).
 */
const NOTHING_WRITTEN = { wroteNothing: true };

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
 * Every handler that changes a case's contacts writes the case row (the upsert or UPDATE of
 * gateway.cases, locking it) and the contacts in one statement, which writes only if no other
 * transaction changed the case row since the statement's snapshot, and otherwise runs again under
 * the row's lock (underCaseLock). So a contact attaching and a case moving on are serialised: the
 * attach sees every step committed before it, and every later step sees the attached contact.
 * Stages only move forward (stages.ts), computed on the row as the UPDATE holds it, so parallel or
 * reordered events end in the same state.
 */
@Injectable()
export class StatusProjection {
  /** The board's rows of a rating and of a readiness are written with the case (boardWithCase). */
  constructor(private readonly board: BoardProjection) {}

  async rated(e: CaseRated, at: string, m: EntityManager): Promise<void> {
    const step = caseStepOf(e, at);
    // Events for one case share its key and partition, so the latest rating handled is the latest made.
    // The rating and deadline are the case's: every referrer of the case sees them; the contact
    // this rating is about attaches to its case and catches up with it.
    const change = {
      stage: step?.stage ?? null,
      entry: JSON.stringify(step ? [step] : []),
      own: JSON.stringify(step ? [] : [{ at, stage: 'rated' }]),
    };
    const r = await underCaseLock(m, e.caseId, () => statusRows.rateCase(m, e, change, this.board.plannedChecks(e)));
    // The contact is accepted at this gateway before triage hears of it, so this is a replay
    // into a gateway that lost it, or the outbox not committed yet: try again later.
    if (!r.attached && !r.contactKnown) throw new NotReadyYet(`no contact yet for the rating of case ${e.caseId} (contact ${e.contactId})`);
  }

  /**
   * Red: teams informed. The alert travels on its own topic and often arrives before the rating
   * that creates the case here; waiting for it held the alert's partition in retries (a 10,000
   * contact burst stalled the gateway) and then parked the alert. So without the case yet, the step
   * goes straight onto the alerted contact, forward only, under its row lock.
   */
  async teamsAlerted(e: TeamsAlerted, at: string, m: EntityManager): Promise<void> {
    const step = { at, stage: 'teams-informed' as const };
    if ((await this.caseStep(m, e.caseId, { stage: step.stage, entry: JSON.stringify([step]) })).known) return;
    if (!(await statusRows.contactStep(m, e.contactId, step)))
      throw new NotReadyYet(`no contact yet for the teams alert (contact ${e.contactId})`, NOTHING_WRITTEN);
  }

  /**
   * Readiness, and each revision of the picture after it. A picture after the decision (a late
   * reply, a revised plan, readiness after an urgent decision) updates what the case shows and is
   * not a step of the journey: decided on the case row under its lock, so a decision recorded
   * meanwhile is seen.
   */
  async ready(e: CaseReady, at: string, m: EntityManager): Promise<void> {
    const step = { at, stage: 'ready-for-decision' };
    const r = await this.caseStep(m, e.caseId, {
      stage: step.stage,
      entry: JSON.stringify([step]),
      unlessDecided: true,
      ready: e,
      board: this.board.readiness(e),
    });
    if (!r.known) throw new NotReadyYet(`case ${e.caseId} not rated yet`, NOTHING_WRITTEN);
  }

  async decided(e: DecisionRecorded, at: string, m: EntityManager): Promise<void> {
    const step = { at, stage: 'decided' };
    const decision = { decidedAt: e.decidedAt, outcomes: e.outcomes };
    const r = await this.caseStep(m, e.caseId, { stage: step.stage, entry: JSON.stringify([step]), decision });
    if (!r.known) throw new NotReadyYet(`case ${e.caseId} not rated yet`, NOTHING_WRITTEN);
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
    if (!updated) throw new NotReadyYet(`no contact yet for the notice receipt (contact ${e.contactId})`, NOTHING_WRITTEN);
  }

  /**
   * A step of the case: recorded on the case row (locking it), with the facts the event adds, and
   * applied to every contact attached to the case, which also take the case's facts as they now are.
   * `known` false: the case is not here yet, and nothing was written.
   */
  private caseStep(m: EntityManager, caseId: string, change: CaseChange): Promise<CaseWrite> {
    return underCaseLock(m, caseId, () => statusRows.caseStep(m, caseId, change));
  }
}

/**
 * Runs a write of a case and its contacts (one statement) once, and when another transaction
 * changed the case row after the statement began (it then wrote nothing: statusRows' SEEN), takes
 * the row's lock and runs it again, now with a snapshot that has every change to the case: under
 * the lock none can come. Only contention costs the two extra statements.
 */
async function underCaseLock<W extends CaseWrite>(m: EntityManager, caseId: string, write: () => Promise<W>): Promise<W> {
  const first = await write();
  if (first.written || !first.known) return first;
  await statusRows.lockCase(m, caseId);
  const again = await write();
  if (!again.written) throw new Error(`case ${caseId} changed under its row lock`);
  return again;
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
