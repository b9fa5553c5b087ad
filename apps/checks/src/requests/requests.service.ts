import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { CaseRated, checkRequestedTopic, CheckReplied, CheckRequested, PlanItem } from '@mash/contracts';
import { log, MessageContext, Outgoing, RejectedMessage, WouldWait } from '@mash/messaging';
import { CasesRepository } from '../cases/cases.repository';
import { AGENCY_CALENDAR, AgencyCalendar, chaseSchedule, ChaseTimer } from '../chasing';
import { checksMetrics } from '../metrics';
import { PictureService, readinessOf } from '../picture/picture.service';
import { effectiveDue, isLate } from '../readiness';
import { subjectsFor } from './disclosure';
import { NewRequest, RequestsRepository } from './requests.repository';
import { Disclosure, recordDisclosure, recordDisclosures } from '@mash/platform';

/**
 * The id of the request an agency gets for a case. A revised plan (revision 2+) asks the agency
 * afresh, so its request needs an id of its own; the first plan keeps the id it always had.
 */
export function requestIdFor(caseId: string, agency: string, revision = 1): string {
  const seed = revision > 1 ? `${caseId}:${agency}:${revision}` : `${caseId}:${agency}`;
  return `RQ-${createHash('sha256').update(seed).digest('hex').slice(0, 20)}`;
}

const caseDeadlineKey = (caseId: string) => `${caseId}:case-deadline`;

/**
 * Sends one request per agency in the plan, each carrying only what the plan grants, schedules its
 * reminders, escalation and the case deadline, and gathers the replies. The case is ready when
 * every agency has replied or its deadline arrives; replies after that revise the picture.
 *
 * Every handler takes the case row first and only then reads the time and the case's state
 * (CasesRepository.present): `at` (tests) stands in for the clock read under the lock.
 */
@Injectable()
export class RequestsService {
  constructor(
    private readonly picture: PictureService,
    @Inject(AGENCY_CALENDAR) private readonly calendar: AgencyCalendar,
    private readonly cases: CasesRepository = new CasesRepository(),
    private readonly requests: RequestsRepository = new RequestsRepository(),
  ) {}

  async fanOut(e: CaseRated, ctx: MessageContext, at?: Date): Promise<void> {
    if ((e.revision ?? 1) >= 2) return this.revisePlan(e, ctx, at);
    const m = ctx.manager;
    const opened = await this.cases.open(
      m,
      { caseId: e.caseId, contactId: e.contactId, rating: e.rating, deadline: new Date(e.deadline) },
      at,
    );
    if (!opened) {
      // A second start rating of one case (a replay from triage, or a duplicate report that did not
      // escalate it): agencies were asked once already.
      log('warn', 'case already has checks; start rating ignored', { caseId: e.caseId });
      return;
    }
    await this.ask(m, ctx, e, e.checkPlan, 1, opened);
    // Nothing to ask (a Blue case, or consent limits left no agency): ready at once.
    if (e.checkPlan.length === 0) await this.picture.declareReady(m, [(await this.cases.lock(m, e.caseId))!], opened);
  }

  /**
   * A revised start (revision 2+): its plan holds only what is added, each item the agency's whole
   * new grant. Each agency in it gets a new request and counts as outstanding until that one is
   * answered; an earlier deadline (escalation) brings the case deadline forward. A revision no
   * newer than the last applied is a replay and asks nobody.
   */
  async revisePlan(e: CaseRated, ctx: MessageContext, at?: Date): Promise<void> {
    const m = ctx.manager;
    const revision = e.revision!;
    const c = await this.cases.lock(m, e.caseId);
    if (!c) {
      // Same topic and key as the first plan, so this should not happen; asking the added agencies
      // beats asking nobody.
      log('warn', 'revised plan for a case without checks; opening it with the revision', { caseId: e.caseId, revision });
      const opened = await this.cases.open(
        m,
        { caseId: e.caseId, contactId: e.contactId, rating: e.rating, deadline: new Date(e.deadline), planRevision: revision },
        at,
      );
      if (!opened) throw new Error(`case ${e.caseId} was opened while its revision was applied`);
      await this.ask(m, ctx, e, e.checkPlan, revision, opened);
      if (e.checkPlan.length === 0) await this.picture.declareReady(m, [(await this.cases.lock(m, e.caseId))!], opened);
      return;
    }
    if (c.planRevision >= revision) {
      log('info', 'plan revision already applied; ignored', { caseId: e.caseId, revision, applied: c.planRevision });
      return;
    }
    const now = await this.cases.present(m, e.caseId, at);
    await this.cases.setPlanRevision(m, e.caseId, revision);

    let deadline = c.deadline;
    // A ready case's deadline is history (its picture says when it was ready): only a case still
    // waiting is brought forward.
    if (c.readyAt === null && new Date(e.deadline) < deadline) {
      deadline = new Date(e.deadline);
      await this.cases.setDeadline(m, e.caseId, deadline);
      // Nobody is escalated after the case has gone to decision.
      await this.requests.bringForward(m, e.caseId, deadline, caseDeadlineKey(e.caseId));
      log('info', 'case deadline brought forward by a revised plan', { caseId: e.caseId, revision });
    }
    // An agency asked again is chased for its new request only.
    await this.requests.cancelAgencyTimers(
      m,
      e.caseId,
      e.checkPlan.map((p) => p.agency),
    );
    await this.ask(m, ctx, { ...e, deadline: deadline.toISOString() }, e.checkPlan, revision, now);
  }

  /**
   * Sends each item its request, stores it and schedules its chasing: one statement each for the
   * requests with their timers, the messages and the disclosures, whatever the plan's size. The
   * disclosures go last: they take the disclosure chain's lock until commit (recordDisclosures).
   */
  private async ask(
    m: EntityManager,
    ctx: MessageContext,
    e: CaseRated,
    plan: readonly PlanItem[],
    revision: number,
    now: Date,
  ): Promise<void> {
    const timers: ChaseTimer[] = [];
    const rows: NewRequest[] = [];
    const messages: Outgoing<CheckRequested>[] = [];
    const disclosures: Disclosure[] = [];
    for (const item of plan) {
      const requestId = requestIdFor(e.caseId, item.agency, revision);
      // The case goes to decision at its deadline: no agency is given longer than that.
      const dueAt = effectiveDue(item, e.deadline);
      const request: CheckRequested = {
        requestId,
        caseId: e.caseId,
        agency: item.agency,
        subjects: subjectsFor(item.agency, item.categories, e.subjects),
        categories: item.categories,
        lawfulBasis: e.lawfulBasis,
        rating: e.rating,
        dueAt: dueAt.toISOString(),
        caseDeadline: e.deadline,
        requestedAt: now.toISOString(),
      };
      rows.push({ requestId, caseId: e.caseId, agency: item.agency, categories: item.categories, requestedAt: now, dueAt, revision });
      timers.push(...chaseSchedule(request, { pointInWindow: this.calendar(item.agency) }));
      messages.push({ topic: checkRequestedTopic(item.agency), key: e.caseId, data: request, correlationId: requestId });
      // Shared with whom, which categories, on what basis: the information sharing record.
      disclosures.push({
        principal: 'checks',
        action: 'check-requested',
        caseId: e.caseId,
        detail: {
          agency: item.agency,
          requestId,
          categories: item.categories,
          lawfulBasis: e.lawfulBasis,
          subjects: request.subjects.length,
          revision,
        },
      });
    }
    await this.requests.insertMany(m, rows, timers);
    await ctx.publishMany(messages);
    await recordDisclosures(m, 'checks', disclosures);
    log('info', 'checks requested', { caseId: e.caseId, revision, agencies: plan.map((p) => p.agency), timers: timers.length });
  }

  /**
   * Accepts a reply. The topic it came on says which agency sent it; a reply claiming another
   * agency, or not matching its request, can never be right and is parked at once (RejectedMessage).
   */
  async collect(e: CheckReplied, topicAgency: string, ctx: MessageContext, at?: Date): Promise<void> {
    const m = ctx.manager;
    if (e.agency !== topicAgency) throw new RejectedMessage(`reply claims agency ${e.agency} on the ${topicAgency} reply topic`);
    // Several agencies answer one case at once, on topics consumed side by side: in a run, a case
    // another run holds is not waited for (that run would hold up this one's other cases).
    const locked = ctx.mayWait ? await this.cases.lock(m, e.caseId) : await this.cases.lockIfFree(m, e.caseId);
    if (locked === 'held') throw new WouldWait(`case ${e.caseId} is held by another transaction`);
    if (!locked) throw new RejectedMessage(`reply for unknown case ${e.caseId}`);
    let c = locked;
    // Only now, holding the case, are its request and the time of this reply read: every reply
    // committed before it is in its past, so readiness below counts them all.
    const { now, request: req } = await this.cases.presentWithRequest(m, e.caseId, e.requestId, at);
    if (!req) throw new RejectedMessage(`reply to unknown request ${e.requestId}`);
    if (req.agency !== e.agency || req.caseId !== e.caseId)
      throw new RejectedMessage(`reply from ${e.agency} does not match request ${e.requestId}`);
    if (req.repliedAt) {
      // Connectors keep no state: a redelivered request is answered again. The first reply stands.
      log('info', 'repeated reply ignored', { caseId: e.caseId, agency: e.agency });
      return;
    }
    if (c.prunedAt) {
      // Retention stripped this case's content already: the agency counts as having replied, but
      // what it said is neither kept nor published.
      await this.requests.markReplied(m, e.requestId, now, isLate({ dueAt: req.dueAt.toISOString() }, c.deadline, now));
      log('info', 'reply to a case past retention; content not kept', { caseId: e.caseId, agency: e.agency });
      return;
    }

    // The deadline passed but its timer has not fired yet: the case was ready at its deadline,
    // without this reply, whatever the timer's lag.
    if (c.readyAt === null && now >= c.deadline) {
      const [declared] = await this.picture.declareReady(m, [c], now);
      if (declared) c = { ...c, readyAt: new Date(declared.readyAt), readyReason: declared.reason ?? null, revision: 1 };
    }
    const ready = c.readyAt !== null;

    const late = isLate({ dueAt: req.dueAt.toISOString() }, c.deadline, now);
    // Marks the request replied, stops its chasing and stores the reply; the case's state with it.
    const state = await this.picture.recordReply(m, c, e, now, late);
    checksMetrics.replies.inc({ agency: e.agency, timeliness: ready ? 'after-ready' : late ? 'late' : 'on-time' });
    log('info', 'check reply received', { caseId: e.caseId, agency: e.agency, late, afterReady: ready });

    if (ready) {
      await this.picture.revise(m, c, now, state);
    } else if (readinessOf(state, now).ready) {
      await this.picture.declareReady(m, [c], now, [state]);
    }
    // What each agency provided (categories and entry counts, never the entries). Last, because it
    // holds the disclosure chain's lock until commit (recordDisclosures).
    await recordDisclosure(m, 'checks', {
      principal: e.agency,
      action: 'reply-received',
      caseId: e.caseId,
      detail: {
        requestId: e.requestId,
        known: e.known,
        entries: e.entries?.length ?? 0,
        categories: [...new Set((e.entries ?? []).map((x) => x.category))],
        late,
      },
    });
  }
}
