import { Injectable } from '@nestjs/common';
import { CaseRated, ConsentOverride, TOPICS } from '@mash/contracts';
import { log, MessageContext, RejectedMessage } from '@mash/messaging';
import { Policy } from '@mash/policy';
import { capDueTimes, mergePlans, planAdditions, planChecks } from '../checkPlan';
import { ConsentOverrideError, decideConsent } from '../consent';
import { lockCase, overrideRecorded, recordOverride } from '../cases/cases.repository';
import { firstContactOfCase } from '../contacts/contacts.repository';
import { caseSubjects } from '../intake/caseSubjects';
import { InjectPolicy } from '../policy.provider';
import { now as hubNow } from '@mash/platform/clock';

/**
 * A manager records sharing without consent (section 47 / risk of significant harm): the override
 * is audited, and the checks consent held back are planned now. The revised start rating lists
 * only what is added, so no agency is asked twice for the same thing.
 */
@Injectable()
export class OverridesService {
  constructor(@InjectPolicy() private readonly policy: Policy) {}

  async apply(o: ConsentOverride, ctx: MessageContext, now = hubNow()): Promise<void> {
    const m = ctx.manager;
    const c = await lockCase(m, o.caseId);
    if (!c) throw new RejectedMessage(`consent override ${o.overrideId} for unknown case ${o.caseId}`);
    if (await overrideRecorded(m, o.overrideId)) return;
    if (c.state === 'decided') throw new RejectedMessage(`consent override ${o.overrideId}: case ${o.caseId} is already decided`);

    let decision;
    try {
      decision = decideConsent({ status: 'refused' }, this.policy, { by: o.recordedBy.name, reason: o.reason, basis: o.basis });
    } catch (err) {
      if (err instanceof ConsentOverrideError) throw new RejectedMessage(err.message);
      throw err;
    }
    const first = await firstContactOfCase(m, o.caseId);
    if (!first) throw new RejectedMessage(`case ${o.caseId} has no contact on record`);

    const deadline = c.deadline;
    // Replies for the newly allowed agencies fall due on the case's own clock from now, never after it.
    const wanted = capDueTimes(planChecks(c.current_rating, first.contact, this.policy, decision, now), deadline);
    const added = planAdditions(c.check_plan, wanted);
    const revision = added.length ? c.revision + 1 : c.revision;
    await recordOverride(m, o, { revision, planBefore: c.check_plan, planAdded: added, plan: mergePlans(c.check_plan, added) });
    log('info', 'consent override recorded', {
      caseId: o.caseId,
      overrideId: o.overrideId,
      basis: o.basis,
      revision,
      agenciesAdded: added.map((p) => p.agency),
    });
    if (!added.length) return;

    const data: CaseRated = {
      caseId: o.caseId,
      contactId: c.contact_id,
      stage: 'start',
      revision,
      rating: c.current_rating,
      ruleIds: c.rule_ids,
      reasons: [
        ...decision.reasons.map((r) => (r.length > 500 ? `${r.slice(0, 497)}...` : r)),
        `Revision ${revision}: checks added for ${added.map((p) => p.agency).join(', ')}.`,
      ],
      policyVersion: this.policy.version,
      ratedAt: now.toISOString(),
      deadline: deadline.toISOString(),
      checkPlan: added,
      subjects: await caseSubjects(m, o.caseId),
      lawfulBasis: o.basis,
      ...(c.allocated_worker ? { allocatedWorker: c.allocated_worker } : {}),
    };
    await ctx.publish({ topic: TOPICS.caseRated, key: o.caseId, data });
  }
}
