import { Injectable } from '@nestjs/common';
import { CaseRated, CaseReady, DecisionRecorded, TOPICS } from '@mash/contracts';
import { log, MessageContext, RejectedMessage } from '@mash/messaging';
import { deadlineFor, Policy } from '@mash/policy';
import { lockCase } from '../intake/intake.service';
import { InjectPolicy } from '../policy.provider';
import { reRate } from './rerate';

/**
 * The rating at the end of checks is kept beside the one at the start (the matrix needs both);
 * the decision maker's final rating and reason are kept beside those.
 */
@Injectable()
export class ReratingService {
  constructor(@InjectPolicy() private readonly policy: Policy) {}

  async onReady(e: CaseReady, ctx: MessageContext, now = new Date()): Promise<void> {
    const m = ctx.manager;
    const c = await lockCase(m, e.caseId);
    if (!c) throw new RejectedMessage(`caseReady for unknown case ${e.caseId}`);
    // After the decision the picture may still grow (late replies), but the rating is the decision maker's.
    if (c.state === 'decided') return;
    const r = reRate({ rating: c.current_rating, ruleIds: c.rule_ids }, e, this.policy.rerating);
    const first = c.end_rating === null;
    // Escalated on the fuller picture: the decision is now due on the higher rating's clock from
    // receipt (a Red within 4 hours), unless the old deadline is sooner. Never later.
    const escalatedDue = deadlineFor(r.rating, new Date(c.received_at), this.policy);
    const deadline = new Date(Math.min(new Date(c.deadline).getTime(), escalatedDue.getTime()));
    await m.query(
      `UPDATE triage.cases SET end_rating = $2, end_rule_ids = $3, end_reasons = $4, ended_at = $5, state = 'ready', deadline = $6, updated_at = now() WHERE case_id = $1`,
      [e.caseId, r.rating, JSON.stringify(r.ruleIds), JSON.stringify(r.reasons), now, deadline],
    );
    if (!first && c.end_rating === r.rating) return;
    await m.query(
      `INSERT INTO triage.ratings (case_id, stage, rating, rule_ids, reasons, policy_version, rated_by, reason) VALUES ($1, 'end', $2, $3, $4, $5, 'rules', $6)`,
      [e.caseId, r.rating, JSON.stringify(r.ruleIds), JSON.stringify(r.reasons), this.policy.version, `picture revision ${e.revision ?? 1}`],
    );
    const data: CaseRated = {
      caseId: e.caseId, contactId: c.contact_id, stage: 'end', rating: r.rating, previousRating: c.current_rating, ruleIds: r.ruleIds, reasons: r.reasons,
      policyVersion: this.policy.version, ratedAt: now.toISOString(), deadline: deadline.toISOString(), checkPlan: [], subjects: [],
      lawfulBasis: c.lawful_basis, ...(c.allocated_worker ? { allocatedWorker: c.allocated_worker } : {}),
    };
    await ctx.publish({ topic: TOPICS.caseRated, key: e.caseId, data });
    log('info', 'case re-rated', { caseId: e.caseId, from: c.current_rating, to: r.rating, change: r.change, rules: r.ruleIds });
  }

  async onDecision(e: DecisionRecorded, ctx: MessageContext): Promise<void> {
    const m = ctx.manager;
    const c = await lockCase(m, e.caseId);
    if (!c) throw new RejectedMessage(`decision ${e.decisionId} for unknown case ${e.caseId}`);
    await m.query(
      `UPDATE triage.cases SET final_rating = $2, decision_id = $3, state = 'decided', rating_change_reason = $4, decided_by = $5, decided_at = $6, updated_at = now() WHERE case_id = $1`,
      [e.caseId, e.finalRating, e.decisionId, e.ratingChangeReason ?? null, e.decisionMaker.name, e.decidedAt],
    );
    await m.query(
      `INSERT INTO triage.ratings (case_id, stage, rating, rule_ids, reasons, policy_version, rated_by, reason) VALUES ($1, 'decision', $2, '[]', '[]', $3, $4, $5)`,
      [e.caseId, e.finalRating, e.policyVersion ?? c.policy_version, e.decisionMaker.name, e.ratingChangeReason ?? null],
    );
    log('info', 'decision applied', { caseId: e.caseId, decisionId: e.decisionId, finalRating: e.finalRating, changed: e.finalRating !== (c.end_rating ?? c.current_rating) });
  }
}
