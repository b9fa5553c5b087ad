import { Injectable } from '@nestjs/common';
import { CaseRated, ConsentOverride, ContactReceived, TOPICS } from '@mash/contracts';
import { log, MessageContext, RejectedMessage } from '@mash/messaging';
import { Policy } from '@mash/policy';
import { capDueTimes, mergePlans, planAdditions, planChecks } from '../checkPlan';
import { ConsentOverrideError, decideConsent } from '../consent';
import { caseSubjects } from '../intake/caseSubjects';
import { lockCase } from '../intake/intake.service';
import { InjectPolicy } from '../policy.provider';

/**
 * A manager records sharing without consent (section 47 / risk of significant harm): the override
 * is audited, and the checks consent held back are planned now. The revised start rating lists
 * only what is added, so no agency is asked twice for the same thing.
 */
@Injectable()
export class OverridesService {
  constructor(@InjectPolicy() private readonly policy: Policy) {}

  async apply(o: ConsentOverride, ctx: MessageContext, now = new Date()): Promise<void> {
    const m = ctx.manager;
    const c = await lockCase(m, o.caseId);
    if (!c) throw new RejectedMessage(`consent override ${o.overrideId} for unknown case ${o.caseId}`);
    if ((await m.query(`SELECT 1 FROM triage.consent_overrides WHERE override_id = $1`, [o.overrideId])).length) return;
    if (c.state === 'decided') throw new RejectedMessage(`consent override ${o.overrideId}: case ${o.caseId} is already decided`);

    let decision;
    try {
      decision = decideConsent({ status: 'refused' }, this.policy, { by: o.recordedBy.name, reason: o.reason, basis: o.basis });
    } catch (err) {
      if (err instanceof ConsentOverrideError) throw new RejectedMessage(err.message);
      throw err;
    }
    const [first]: { body: ContactReceived }[] = await m.query(
      `SELECT body FROM triage.contacts WHERE case_id = $1 AND duplicate_of IS NULL ORDER BY received_at LIMIT 1`,
      [o.caseId],
    );
    if (!first) throw new RejectedMessage(`case ${o.caseId} has no contact on record`);

    const deadline = new Date(c.deadline);
    // Replies for the newly allowed agencies fall due on the case's own clock from now, never after it.
    const wanted = capDueTimes(planChecks(c.current_rating, first.body.contact, this.policy, decision, now), deadline);
    const added = planAdditions(c.check_plan, wanted);
    const revision = added.length ? c.revision + 1 : c.revision;
    await m.query(
      `INSERT INTO triage.consent_overrides (override_id, case_id, recorded_at, recorded_by_name, recorded_by_role, principal, basis, reason, revision, plan_before, plan_added)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [o.overrideId, o.caseId, o.recordedAt, o.recordedBy.name, o.recordedBy.role, o.principal, o.basis, o.reason, revision, JSON.stringify(c.check_plan), JSON.stringify(added)],
    );
    await m.query(
      `UPDATE triage.cases SET lawful_basis = $2, revision = $3, check_plan = $4, updated_at = now() WHERE case_id = $1`,
      [o.caseId, o.basis, revision, JSON.stringify(mergePlans(c.check_plan, added))],
    );
    log('info', 'consent override recorded', { caseId: o.caseId, overrideId: o.overrideId, basis: o.basis, revision, agenciesAdded: added.map((p) => p.agency) });
    if (!added.length) return;

    const data: CaseRated = {
      caseId: o.caseId, contactId: c.contact_id, stage: 'start', revision, rating: c.current_rating, ruleIds: c.rule_ids,
      reasons: [...decision.reasons.map((r) => (r.length > 500 ? `${r.slice(0, 497)}...` : r)), `Revision ${revision}: checks added for ${added.map((p) => p.agency).join(', ')}.`],
      policyVersion: this.policy.version, ratedAt: now.toISOString(), deadline: deadline.toISOString(), checkPlan: added,
      subjects: await caseSubjects(m, o.caseId), lawfulBasis: o.basis, ...(c.allocated_worker ? { allocatedWorker: c.allocated_worker } : {}),
    };
    await ctx.publish({ topic: TOPICS.caseRated, key: o.caseId, data });
  }
}
