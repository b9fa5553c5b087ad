import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { CaseRated, CheckAgency, checkRequestedTopic, CheckReplied, CheckRequested, PlanItem } from '@mash/contracts';
import { log, MessageContext, RejectedMessage } from '@mash/messaging';
import { AGENCY_CALENDAR, AgencyCalendar, chaseSchedule, ChaseTimer } from '../chasing';
import { checksMetrics } from '../metrics';
import { PictureService, readinessOf } from '../picture/picture.service';
import { effectiveDue, isLate } from '../readiness';
import { subjectsFor } from './disclosure';

/**
 * The id of the request an agency gets for a case. A revised plan (revision 2+) asks the agency
 * afresh, so its request needs an id of its own; the first plan keeps the id it always had.
 */
export function requestIdFor(caseId: string, agency: string, revision = 1): string {
  const seed = revision > 1 ? `${caseId}:${agency}:${revision}` : `${caseId}:${agency}`;
  return `RQ-${createHash('sha256').update(seed).digest('hex').slice(0, 20)}`;
}

const caseDeadlineKey = (caseId: string) => `${caseId}:case-deadline`;

/** Inserts timers, keeping the first of each key: every request of a case names the same case deadline. */
export async function insertTimers(m: EntityManager, timers: ChaseTimer[]): Promise<void> {
  if (timers.length === 0) return;
  await m.query(
    `INSERT INTO checks.timers (key, case_id, request_id, agency, kind, fire_at, due_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[])
     ON CONFLICT (key) DO NOTHING`,
    [
      timers.map((t) => t.key),
      timers.map((t) => t.caseId),
      timers.map((t) => t.requestId ?? null),
      timers.map((t) => t.agency ?? null),
      timers.map((t) => t.kind),
      timers.map((t) => t.fireAt.toISOString()),
      timers.map((t) => t.dueAt.toISOString()),
    ],
  );
}

/**
 * Sends one request per agency in the plan, each carrying only what the plan grants, schedules its
 * reminders, escalation and the case deadline, and gathers the replies. The case is ready when
 * every agency has replied or its deadline arrives; replies after that revise the picture.
 */
@Injectable()
export class RequestsService {
  constructor(
    private readonly picture: PictureService,
    @Inject(AGENCY_CALENDAR) private readonly calendar: AgencyCalendar,
  ) {}

  async fanOut(e: CaseRated, ctx: MessageContext, now = new Date()): Promise<void> {
    if ((e.revision ?? 1) >= 2) return this.revisePlan(e, ctx, now);
    const m = ctx.manager;
    const opened: unknown[] = await m.query(
      `INSERT INTO checks.cases (case_id, contact_id, rating, deadline, opened_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (case_id) DO NOTHING RETURNING case_id`,
      [e.caseId, e.contactId, e.rating, e.deadline, now],
    );
    if (opened.length === 0) {
      // A second start rating of one case (a replay from triage, or a duplicate report that did not
      // escalate it): agencies were asked once already.
      log('warn', 'case already has checks; start rating ignored', { caseId: e.caseId });
      return;
    }
    await this.ask(m, ctx, e, e.checkPlan, 1, now);
    // Nothing to ask (a Blue case, or consent limits left no agency): ready at once.
    if (e.checkPlan.length === 0) await this.picture.declareReady(m, [{ case_id: e.caseId, deadline: new Date(e.deadline), revision: 0 }], now);
  }

  /**
   * A revised start (revision 2+): its plan holds only what is added, each item the agency's whole
   * new grant. Each agency in it gets a new request and counts as outstanding until that one is
   * answered; an earlier deadline (escalation) brings the case deadline forward. A revision no
   * newer than the last applied is a replay and asks nobody.
   */
  async revisePlan(e: CaseRated, ctx: MessageContext, now = new Date()): Promise<void> {
    const m = ctx.manager;
    const revision = e.revision!;
    // The case row is the lock every change to a case takes first (see collect).
    const [c]: { case_id: string; deadline: Date; ready_at: Date | null; revision: number; plan_revision: number }[] = await m.query(
      `SELECT case_id, deadline, ready_at, revision, plan_revision FROM checks.cases WHERE case_id = $1 FOR UPDATE`,
      [e.caseId],
    );
    if (!c) {
      // Same topic and key as the first plan, so this should not happen; asking the added agencies
      // beats asking nobody.
      log('warn', 'revised plan for a case without checks; opening it with the revision', { caseId: e.caseId, revision });
      await m.query(
        `INSERT INTO checks.cases (case_id, contact_id, rating, deadline, opened_at, plan_revision) VALUES ($1, $2, $3, $4, $5, $6)`,
        [e.caseId, e.contactId, e.rating, e.deadline, now, revision],
      );
      await this.ask(m, ctx, e, e.checkPlan, revision, now);
      if (e.checkPlan.length === 0) await this.picture.declareReady(m, [{ case_id: e.caseId, deadline: new Date(e.deadline), revision: 0 }], now);
      return;
    }
    if (c.plan_revision >= revision) {
      log('info', 'plan revision already applied; ignored', { caseId: e.caseId, revision, applied: c.plan_revision });
      return;
    }
    await m.query(`UPDATE checks.cases SET plan_revision = $2 WHERE case_id = $1`, [e.caseId, revision]);

    const ready = c.ready_at !== null;
    let deadline = new Date(c.deadline);
    // A ready case's deadline is history (its picture says when it was ready): only a case still
    // waiting is brought forward.
    if (!ready && new Date(e.deadline) < deadline) {
      deadline = new Date(e.deadline);
      await m.query(`UPDATE checks.cases SET deadline = $2 WHERE case_id = $1`, [e.caseId, deadline]);
      await m.query(
        `UPDATE checks.timers SET fire_at = $2, due_at = $2 WHERE key = $1 AND fired_at IS NULL AND cancelled_at IS NULL`,
        [caseDeadlineKey(e.caseId), deadline],
      );
      // Nobody is escalated after the case has gone to decision.
      await m.query(
        `UPDATE checks.timers SET fire_at = LEAST(fire_at, $2), due_at = LEAST(due_at, $2)
         WHERE case_id = $1 AND kind = 'escalation' AND fired_at IS NULL AND cancelled_at IS NULL`,
        [e.caseId, deadline],
      );
      log('info', 'case deadline brought forward by a revised plan', { caseId: e.caseId, revision });
    }
    // An agency asked again is chased for its new request only.
    await m.query(
      `UPDATE checks.timers SET cancelled_at = now() WHERE case_id = $1 AND agency = ANY($2) AND request_id IS NOT NULL AND fired_at IS NULL AND cancelled_at IS NULL`,
      [e.caseId, e.checkPlan.map((p) => p.agency)],
    );
    await this.ask(m, ctx, { ...e, deadline: deadline.toISOString() }, e.checkPlan, revision, now);
  }

  /** Sends each item its request, stores it and schedules its chasing. */
  private async ask(m: EntityManager, ctx: MessageContext, e: CaseRated, plan: readonly PlanItem[], revision: number, now: Date): Promise<void> {
    const timers: ChaseTimer[] = [];
    for (const item of plan) {
      const requestId = requestIdFor(e.caseId, item.agency, revision);
      // The case goes to decision at its deadline: no agency is given longer than that.
      const dueAt = effectiveDue(item, e.deadline).toISOString();
      const request: CheckRequested = {
        requestId,
        caseId: e.caseId,
        agency: item.agency,
        subjects: subjectsFor(item.agency, item.categories, e.subjects),
        categories: item.categories,
        lawfulBasis: e.lawfulBasis,
        rating: e.rating,
        dueAt,
        caseDeadline: e.deadline,
        requestedAt: now.toISOString(),
      };
      await m.query(
        `INSERT INTO checks.requests (request_id, case_id, agency, categories, requested_at, due_at, revision) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [requestId, e.caseId, item.agency, JSON.stringify(item.categories), now, dueAt, revision],
      );
      timers.push(...chaseSchedule(request, { pointInWindow: this.calendar(item.agency) }));
      await ctx.publish({ topic: checkRequestedTopic(item.agency), key: e.caseId, data: request, correlationId: requestId });
    }
    await insertTimers(m, timers);
    log('info', 'checks requested', { caseId: e.caseId, revision, agencies: plan.map((p) => p.agency), timers: timers.length });
  }

  /**
   * Accepts a reply. The topic it came on says which agency sent it; a reply claiming another
   * agency, or not matching its request, can never be right and is parked at once (RejectedMessage).
   */
  async collect(e: CheckReplied, topicAgency: string, ctx: MessageContext, now = new Date()): Promise<void> {
    const m = ctx.manager;
    if (e.agency !== topicAgency) throw new RejectedMessage(`reply claims agency ${e.agency} on the ${topicAgency} reply topic`);
    // The case row is the lock every change to a case takes first, so replies of several agencies
    // (on several topics, handled in parallel) and the timers never interleave on one case.
    const [c]: { case_id: string; deadline: Date; ready_at: Date | null; revision: number }[] = await m.query(
      `SELECT case_id, deadline, ready_at, revision FROM checks.cases WHERE case_id = $1 FOR UPDATE`,
      [e.caseId],
    );
    if (!c) throw new RejectedMessage(`reply for unknown case ${e.caseId}`);
    const [req]: { request_id: string; case_id: string; agency: CheckAgency; due_at: Date; replied_at: Date | null }[] = await m.query(
      `SELECT request_id, case_id, agency, due_at, replied_at FROM checks.requests WHERE request_id = $1`,
      [e.requestId],
    );
    if (!req) throw new RejectedMessage(`reply to unknown request ${e.requestId}`);
    if (req.agency !== e.agency || req.case_id !== e.caseId) throw new RejectedMessage(`reply from ${e.agency} does not match request ${e.requestId}`);
    if (req.replied_at) {
      // Connectors keep no state: a redelivered request is answered again. The first reply stands.
      log('info', 'repeated reply ignored', { caseId: e.caseId, agency: e.agency });
      return;
    }

    // The deadline passed but its timer has not fired yet: the case was ready at its deadline,
    // without this reply, whatever the timer's lag.
    let ready = c.ready_at !== null;
    if (!ready && now >= new Date(c.deadline)) {
      ready = (await this.picture.declareReady(m, [c], now)).length > 0;
      if (ready) c.revision = 1;
    }

    const late = isLate({ dueAt: new Date(req.due_at).toISOString() }, c.deadline, now);
    await m.query(`UPDATE checks.requests SET replied_at = $2, late = $3 WHERE request_id = $1`, [e.requestId, now, late]);
    await m.query(`INSERT INTO checks.replies (request_id, case_id, agency, received_at, body) VALUES ($1, $2, $3, $4, $5)`, [e.requestId, e.caseId, e.agency, now, JSON.stringify(e)]);
    await m.query(`UPDATE checks.timers SET cancelled_at = now() WHERE request_id = $1 AND fired_at IS NULL AND cancelled_at IS NULL`, [e.requestId]);
    checksMetrics.replies.inc({ agency: e.agency, timeliness: ready ? 'after-ready' : late ? 'late' : 'on-time' });
    log('info', 'check reply received', { caseId: e.caseId, agency: e.agency, late, afterReady: ready });

    if (ready) {
      await this.picture.revise(m, c, now);
      return;
    }
    const [state] = await this.picture.load(m, [c]);
    if (readinessOf(state, now).ready) await this.picture.declareReady(m, [c], now);
  }
}
