import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CaseReady, CHECK_AGENCIES, CheckAgency, CheckReplied, TOPICS } from '@mash/contracts';
import { log, Outbox } from '@mash/messaging';
import { mergeChronology } from '../chronology';
import { checksMetrics } from '../metrics';
import { assessReadiness, caseReadyMessage, isLate, Readiness, revisedCaseReadyMessage } from '../readiness';

/** One case as readiness and the chronology see it. */
export interface CaseState {
  caseId: string;
  deadline: Date;
  revision: number;
  /** Set once the case was declared ready (see ReadinessInput.declared). */
  declared?: { readyAt: Date; reason: 'all-replied' | 'deadline-reached' };
  /** The request that counts for each agency: its latest (a revised plan asks an agency again). */
  requests: { requestId: string; agency: CheckAgency; dueAt: Date; repliedAt: Date | null }[];
  /** Every reply, to whichever request; `dueAt` is the due time of the request it answered. */
  replies: { agency: CheckAgency; receivedAt: Date; body: CheckReplied; dueAt?: Date }[];
}

const planOrder = (a: CheckAgency, b: CheckAgency) => CHECK_AGENCIES.indexOf(a) - CHECK_AGENCIES.indexOf(b);

export function readinessOf(state: CaseState, now: Date): Readiness {
  return assessReadiness({
    plan: state.requests.map((r) => ({ agency: r.agency, dueAt: r.dueAt.toISOString() })),
    caseDeadline: state.deadline,
    replies: state.requests.filter((r) => r.repliedAt).map((r) => ({ agency: r.agency, receivedAt: r.repliedAt! })),
    now,
    declared: state.declared,
  });
}

/** The merged chronology of the replies received by `upTo` (all of them when absent). */
export function chronologyOf(state: CaseState, upTo?: Date) {
  const due = new Map(state.requests.map((r) => [r.agency, r.dueAt]));
  const replies = state.replies
    .filter((r) => !upTo || r.receivedAt <= upTo)
    .map((r) => ({ reply: r.body, receivedAt: r.receivedAt, late: isLate({ dueAt: (r.dueAt ?? due.get(r.agency) ?? state.deadline).toISOString() }, state.deadline, r.receivedAt) }));
  return mergeChronology(replies).entries;
}

/**
 * The full picture of a case: when it is ready for decision, the mash.case.ready.v1 that says who
 * replied, who did not and what they said; and a new revision of it whenever a reply is accepted
 * after that. Callers hold the case rows locked (FOR UPDATE) in the transaction they pass.
 */
@Injectable()
export class PictureService {
  constructor(private readonly outbox: Outbox) {}

  /** Everything readiness needs for these cases, in three queries whatever their number. */
  async load(m: EntityManager, cases: { case_id: string; deadline: Date; revision: number }[]): Promise<CaseState[]> {
    if (cases.length === 0) return [];
    const ids = cases.map((c) => c.case_id);
    const requests: { request_id: string; case_id: string; agency: CheckAgency; due_at: Date; replied_at: Date | null }[] = await m.query(
      `SELECT DISTINCT ON (case_id, agency) request_id, case_id, agency, due_at, replied_at FROM checks.requests
       WHERE case_id = ANY($1) ORDER BY case_id, agency, revision DESC`,
      [ids],
    );
    const replies: { case_id: string; agency: CheckAgency; received_at: Date; body: CheckReplied; due_at: Date }[] = await m.query(
      `SELECT p.case_id, p.agency, p.received_at, p.body, r.due_at FROM checks.replies p JOIN checks.requests r USING (request_id) WHERE p.case_id = ANY($1)`,
      [ids],
    );
    const byCase = new Map<string, CaseState>(
      cases.map((c) => [c.case_id, { caseId: c.case_id, deadline: new Date(c.deadline), revision: c.revision, requests: [], replies: [] }]),
    );
    const declared: { case_id: string; ready_at: Date; ready_reason: 'all-replied' | 'deadline-reached' }[] = await m.query(
      `SELECT case_id, ready_at, ready_reason FROM checks.cases WHERE case_id = ANY($1) AND ready_at IS NOT NULL`,
      [ids],
    );
    for (const d of declared) byCase.get(d.case_id)!.declared = { readyAt: new Date(d.ready_at), reason: d.ready_reason };
    for (const r of requests) byCase.get(r.case_id)!.requests.push({ requestId: r.request_id, agency: r.agency, dueAt: new Date(r.due_at), repliedAt: r.replied_at && new Date(r.replied_at) });
    for (const r of replies) byCase.get(r.case_id)!.replies.push({ agency: r.agency, receivedAt: new Date(r.received_at), body: r.body, dueAt: new Date(r.due_at) });
    for (const s of byCase.values()) s.requests.sort((a, b) => planOrder(a.agency, b.agency));
    return [...byCase.values()];
  }

  /**
   * Publishes revision 1 of the picture for each case that is ready at `now`, marks it ready and
   * cancels its pending timers (nobody is chased for a case already at decision). Returns the
   * messages, one per case that was ready.
   */
  async declareReady(m: EntityManager, cases: { case_id: string; deadline: Date; revision: number }[], now: Date): Promise<CaseReady[]> {
    const states = await this.load(m, cases);
    const out: CaseReady[] = [];
    for (const state of states) {
      const readiness = readinessOf(state, now);
      if (!readiness.ready) continue;
      const msg: CaseReady = { ...caseReadyMessage(state.caseId, readiness, chronologyOf(state, readiness.readyAt)), revision: 1 };
      out.push(msg);
      checksMetrics.casesReady.inc({ reason: msg.reason });
      log('info', 'case ready for decision', { caseId: state.caseId, reason: msg.reason, missing: msg.missing, late: msg.late ?? [] });
    }
    if (out.length) {
      await this.outbox.addMany(m, out.map((msg) => ({ topic: TOPICS.caseReady, key: msg.caseId, data: msg })));
      await m.query(
        `UPDATE checks.cases c SET ready_at = u.ready_at, ready_reason = u.reason, revision = 1
         FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS u(case_id, ready_at, reason) WHERE c.case_id = u.case_id`,
        [out.map((x) => x.caseId), out.map((x) => x.readyAt), out.map((x) => x.reason)],
      );
      await m.query(`UPDATE checks.timers SET cancelled_at = now() WHERE case_id = ANY($1) AND fired_at IS NULL AND cancelled_at IS NULL`, [out.map((x) => x.caseId)]);
    }
    return out;
  }

  /** Publishes the next revision of a ready case's picture, after a reply was accepted late. */
  async revise(m: EntityManager, c: { case_id: string; deadline: Date; revision: number }, now: Date): Promise<CaseReady> {
    const [state] = await this.load(m, [c]);
    const readiness = readinessOf(state, now);
    const revision = Math.max(1, c.revision) + 1;
    const msg = revisedCaseReadyMessage(state.caseId, readiness, chronologyOf(state), revision, now);
    await this.outbox.add(m, { topic: TOPICS.caseReady, key: state.caseId, data: msg });
    await m.query(`UPDATE checks.cases SET revision = $2 WHERE case_id = $1`, [state.caseId, revision]);
    log('info', 'case picture revised after a late reply', { caseId: state.caseId, revision, missing: msg.missing, repliedAfterReady: msg.repliedAfterReady });
    return msg;
  }
}
