import { Injectable } from '@nestjs/common';
import { CaseRated, CaseReady, DecisionRecorded, TOPICS } from '@mash/contracts';
import { log, MessageContext, RejectedMessage } from '@mash/messaging';
import { deadlineFor, Policy } from '@mash/policy';
import { insertRating, lockCase, markDecided, markReady } from '../cases/cases.repository';
import { InjectPolicy } from '../policy.provider';
import { reRate } from './rerate';
import { now as hubNow } from '@mash/platform/clock';

/**
 * The rating at the end of checks is kept beside the one at the start (the matrix needs both);
 * the decision maker's final rating and reason are kept beside those.
 */
@Injectable()
export class ReratingService {
  constructor(@InjectPolicy() private readonly policy: Policy) {}

  async onReady(e: CaseReady, ctx: MessageContext, now = hubNow()): Promise<void> {
    const m = ctx.manager;
    const c = await lockCase(m, e.caseId);
    if (!c) throw new RejectedMessage(`caseReady for unknown case ${e.caseId}`);
    // After the decision the picture may still grow (late replies), but the rating is the decision maker's.
    if (c.state === 'decided') return;
    const r = reRate({ rating: c.current_rating, ruleIds: c.rule_ids }, e, this.policy.rerating);
    const first = c.end_rating === null;
    // Escalated on the fuller picture: the decision is now due on the higher rating's clock from
    // receipt (a Red within 4 hours), unless the old deadline is sooner. Never later.
    const escalatedDue = deadlineFor(r.rating, c.received_at, this.policy);
    const deadline = new Date(Math.min(c.deadline.getTime(), escalatedDue.getTime()));
    await markReady(m, e.caseId, { rating: r.rating, ruleIds: r.ruleIds, reasons: r.reasons, endedAt: now, deadline });
    if (!first && c.end_rating === r.rating) return;
    await insertRating(m, e.caseId, {
      stage: 'end',
      rating: r.rating,
      ruleIds: r.ruleIds,
      reasons: r.reasons,
      policyVersion: this.policy.version,
      ratedBy: 'rules',
      reason: `picture revision ${e.revision ?? 1}`,
    });
    const data: CaseRated = {
      caseId: e.caseId,
      contactId: c.contact_id,
      stage: 'end',
      rating: r.rating,
      previousRating: c.current_rating,
      ruleIds: r.ruleIds,
      reasons: r.reasons,
      policyVersion: this.policy.version,
      ratedAt: now.toISOString(),
      deadline: deadline.toISOString(),
      checkPlan: [],
      subjects: [],
      lawfulBasis: c.lawful_basis,
      ...(c.allocated_worker ? { allocatedWorker: c.allocated_worker } : {}),
    };
    await ctx.publish({ topic: TOPICS.caseRated, key: e.caseId, data });
    log('info', 'case re-rated', { caseId: e.caseId, from: c.current_rating, to: r.rating, change: r.change, rules: r.ruleIds });
  }

  async onDecision(e: DecisionRecorded, ctx: MessageContext): Promise<void> {
    const m = ctx.manager;
    const c = await lockCase(m, e.caseId);
    if (!c) throw new RejectedMessage(`decision ${e.decisionId} for unknown case ${e.caseId}`);
    await markDecided(m, e.caseId, {
      finalRating: e.finalRating,
      decisionId: e.decisionId,
      ratingChangeReason: e.ratingChangeReason,
      decidedBy: e.decisionMaker.name,
      decidedAt: new Date(e.decidedAt),
    });
    await insertRating(m, e.caseId, {
      stage: 'decision',
      rating: e.finalRating,
      ruleIds: [],
      reasons: [],
      policyVersion: e.policyVersion ?? c.policy_version,
      ratedBy: e.decisionMaker.name,
      reason: e.ratingChangeReason ?? null,
    });
    log('info', 'decision applied', {
      caseId: e.caseId,
      decisionId: e.decisionId,
      finalRating: e.finalRating,
      changed: e.finalRating !== (c.end_rating ?? c.current_rating),
    });
  }
}
