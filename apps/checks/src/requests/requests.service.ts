import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { CaseRated, CaseReady, CheckAgency, checkRequestedTopic, CheckReplied, CheckRequested, ChronologyEntry, TOPICS } from '@mash/contracts';
import { log, MessageContext, Outbox, RejectedMessage } from '@mash/messaging';

export function requestIdFor(caseId: string, agency: string): string {
  return `RQ-${createHash('sha256').update(`${caseId}:${agency}`).digest('hex').slice(0, 20)}`;
}

/**
 * Sends one request per agency in the plan, each carrying only what the plan grants, and gathers
 * the replies. The case is ready when every agency has replied or its deadline arrives.
 */
@Injectable()
export class RequestsService {
  constructor(private readonly outbox: Outbox) {}

  async fanOut(e: CaseRated, ctx: MessageContext): Promise<void> {
    const m = ctx.manager;
    const now = new Date();
    await m.query(`INSERT INTO checks.cases (case_id, contact_id, rating, deadline, opened_at) VALUES ($1, $2, $3, $4, $5)`, [e.caseId, e.contactId, e.rating, e.deadline, now]);
    await m.query(`INSERT INTO checks.timers (case_id, kind, fire_at) VALUES ($1, 'case-deadline', $2)`, [e.caseId, e.deadline]);
    for (const item of e.checkPlan) {
      const requestId = requestIdFor(e.caseId, item.agency);
      await m.query(
        `INSERT INTO checks.requests (request_id, case_id, agency, categories, requested_at, due_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [requestId, e.caseId, item.agency, JSON.stringify(item.categories), now, item.dueAt],
      );
      await m.query(`INSERT INTO checks.timers (case_id, request_id, kind, fire_at) VALUES ($1, $2, 'escalation', $3)`, [e.caseId, requestId, item.dueAt]);
      const request: CheckRequested = {
        requestId,
        caseId: e.caseId,
        agency: item.agency,
        subjects: e.subjects,
        categories: item.categories,
        lawfulBasis: e.lawfulBasis,
        rating: e.rating,
        dueAt: item.dueAt,
        caseDeadline: e.deadline,
        requestedAt: now.toISOString(),
      };
      await ctx.publish({ topic: checkRequestedTopic(item.agency), key: e.caseId, data: request, correlationId: requestId });
    }
    log('info', 'checks requested', { caseId: e.caseId, agencies: e.checkPlan.map((p) => p.agency) });
    if (e.checkPlan.length === 0) await this.declareReady(m, e.caseId, 'all-replied');
  }

  async collect(e: CheckReplied, topicAgency: string, ctx: MessageContext): Promise<void> {
    const m = ctx.manager;
    if (e.agency !== topicAgency) throw new RejectedMessage(`reply claims agency ${e.agency} on the ${topicAgency} reply topic`);
    const [req] = await m.query(`SELECT * FROM checks.requests WHERE request_id = $1 FOR UPDATE`, [e.requestId]);
    if (!req) throw new RejectedMessage(`reply to unknown request ${e.requestId}`);
    if (req.agency !== e.agency || req.case_id !== e.caseId) throw new RejectedMessage(`reply from ${e.agency} does not match request ${e.requestId}`);
    if (req.replied_at) return;
    const now = new Date();
    const late = now > new Date(req.due_at);
    await m.query(`UPDATE checks.requests SET replied_at = $2, late = $3 WHERE request_id = $1`, [e.requestId, now, late]);
    await m.query(`INSERT INTO checks.replies (request_id, case_id, agency, received_at, body) VALUES ($1, $2, $3, $4, $5)`, [e.requestId, e.caseId, e.agency, now, JSON.stringify(e)]);
    await m.query(`UPDATE checks.timers SET cancelled_at = now() WHERE request_id = $1 AND fired_at IS NULL`, [e.requestId]);
    const [{ open }] = await m.query(`SELECT count(*)::int AS open FROM checks.requests WHERE case_id = $1 AND replied_at IS NULL`, [e.caseId]);
    const [c] = await m.query(`SELECT ready_at FROM checks.cases WHERE case_id = $1 FOR UPDATE`, [e.caseId]);
    log('info', 'check reply received', { caseId: e.caseId, agency: e.agency, late, stillOpen: open });
    if (open === 0 && !c.ready_at) await this.declareReady(m, e.caseId, 'all-replied');
  }

  /** Publishes caseReady with what replied and exactly which agencies did not. */
  async declareReady(m: EntityManager, caseId: string, reason: 'all-replied' | 'deadline-reached'): Promise<void> {
    const now = new Date();
    const requests: { agency: CheckAgency; replied_at: Date | null; late: boolean | null }[] = await m.query(`SELECT agency, replied_at, late FROM checks.requests WHERE case_id = $1`, [caseId]);
    const replies: { body: CheckReplied; late: boolean }[] = await m.query(
      `SELECT r.body, q.late FROM checks.replies r JOIN checks.requests q USING (request_id) WHERE r.case_id = $1`,
      [caseId],
    );
    const chronology: ChronologyEntry[] = replies
      .flatMap(({ body, late }) => body.entries.map((x) => ({ ...x, agency: body.agency, ...(late ? { late: true } : {}) })))
      .sort((a, b) => a.date.localeCompare(b.date));
    const ready: CaseReady = {
      caseId,
      readyAt: now.toISOString(),
      complete: requests.every((r) => r.replied_at),
      reason,
      replied: requests.filter((r) => r.replied_at).map((r) => r.agency),
      missing: requests.filter((r) => !r.replied_at).map((r) => r.agency),
      late: requests.filter((r) => r.late).map((r) => r.agency),
      chronology,
    };
    await m.query(`UPDATE checks.cases SET ready_at = $2, ready_reason = $3 WHERE case_id = $1`, [caseId, now, reason]);
    await m.query(`UPDATE checks.timers SET cancelled_at = now() WHERE case_id = $1 AND kind = 'case-deadline' AND fired_at IS NULL`, [caseId]);
    await this.outbox.add(m, { topic: TOPICS.caseReady, key: caseId, data: ready });
    log('info', 'case ready for decision', { caseId, reason, missing: ready.missing });
  }
}
