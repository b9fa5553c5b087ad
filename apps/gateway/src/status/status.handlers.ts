import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { CaseRated, CaseReady, DecisionRecorded, NoticeDelivered, TeamsAlerted, TOPICS } from '@mash/contracts';
import { MessageContext, NotReadyYet } from '@mash/messaging';
import { BoardProjection } from '../board/board.projection';

/**
 * Builds the gateway's view of each contact's journey from the other services' events, so that a
 * referrer or the wall board can ask "where is it?" without reading another service's tables.
 */
@Controller()
export class StatusHandlers {
  constructor(private readonly board: BoardProjection) {}

  private async step(ctx: MessageContext, where: string, params: unknown[], stage: string, set: string, setParams: unknown[] = []) {
    const at = ctx.envelope.occurredAt;
    const n = params.length;
    const sets = set ? `, ${set.replace(/\$(\d+)/g, (_, i) => `$${Number(i) + n + 2}`)}` : '';
    const [, updated]: [unknown, number] = await ctx.manager.query(
      `UPDATE gateway.contact_status SET stage = $${n + 1}, updated_at = now(),
         history = history || jsonb_build_array(jsonb_build_object('at', $${n + 2}::text, 'stage', $${n + 1}::text))${sets}
       WHERE ${where}`,
      [...params, stage, at, ...setParams],
    );
    // The event this one follows travels on another topic and may not be here yet.
    if (updated === 0) throw new NotReadyYet(`no contact yet for ${stage} (${where.split(' ')[0]} ${String(params[0])})`);
  }

  @EventPattern(TOPICS.caseRated)
  async rated(@Payload() e: CaseRated, @Ctx() ctx: MessageContext) {
    await ctx.manager.query(
      `INSERT INTO gateway.cases (case_id, contact_id, rating, policy_version, deadline) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (case_id) DO UPDATE SET rating = EXCLUDED.rating, policy_version = EXCLUDED.policy_version, deadline = EXCLUDED.deadline, updated_at = now()`,
      [e.caseId, e.contactId, e.rating, e.policyVersion, e.deadline],
    );
    const stage = e.stage === 'start' ? (e.checkPlan.length ? 'checks-in-progress' : 'rated') : 're-rated';
    await this.step(ctx, 'contact_id = $1', [e.contactId], stage, 'case_id = $1, rating = $2, deadline = $3', [e.caseId, e.rating, e.deadline]);
    await this.board.rated(e, ctx.manager);
  }

  @EventPattern(TOPICS.teamsAlerted)
  async alerted(@Payload() e: TeamsAlerted, @Ctx() ctx: MessageContext) {
    await this.step(ctx, 'contact_id = $1', [e.contactId], 'teams-informed', '');
  }

  @EventPattern(TOPICS.caseReady)
  async ready(@Payload() e: CaseReady, @Ctx() ctx: MessageContext) {
    const [rows, known]: [{ decision_id: string | null }[], number] = await ctx.manager.query(
      `UPDATE gateway.cases SET ready = true, chronology = $2, replied = $3, missing = $4, updated_at = now() WHERE case_id = $1 RETURNING decision_id`,
      [e.caseId, JSON.stringify(e.chronology), JSON.stringify(e.replied), JSON.stringify(e.missing)],
    );
    if (known === 0) throw new NotReadyYet(`case ${e.caseId} not rated yet`);
    // A picture that arrives after the decision (a late reply, a revised plan, or readiness after an
    // urgent-override decision) updates what the case shows; it never takes the contact back to
    // 'ready-for-decision'.
    if (!rows[0].decision_id) {
      await this.step(ctx, 'case_id = $1', [e.caseId], 'ready-for-decision', 'ready_at = $1, complete = $2, missing = $3', [e.readyAt, e.complete, JSON.stringify(e.missing)]);
    }
    await this.board.ready(e, ctx.manager);
  }

  @EventPattern(TOPICS.decisionRecorded)
  async decided(@Payload() e: DecisionRecorded, @Ctx() ctx: MessageContext) {
    await this.step(ctx, 'case_id = $1', [e.caseId], 'decided', 'decided_at = $1, outcomes = $2', [e.decidedAt, JSON.stringify(e.outcomes)]);
  }

  @EventPattern(TOPICS.noticeDelivered)
  async noticed(@Payload() e: NoticeDelivered, @Ctx() ctx: MessageContext) {
    if (e.kind !== 'outcome' || !e.contactId) return;
    const stage = e.status === 'delivered' ? 'referrer-informed' : e.status === 'no-channel' ? 'no-referrer-channel' : 'notice-failed';
    await this.step(ctx, 'contact_id = $1', [e.contactId], stage, 'referrer_informed_at = $1, notice_status = $2', [e.status === 'delivered' ? e.at : null, e.status]);
  }
}
