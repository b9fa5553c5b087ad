import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CaseRated, ContactReceived, LawfulBasis, PlanItem, Rating, TOPICS } from '@mash/contracts';
import { log, MessageContext } from '@mash/messaging';
import { deadlineFor, Policy, teamsToAlert } from '@mash/policy';
import { capDueTimes, mergePlans, planAdditions, planChecks } from '../checkPlan';
import { ConsentDecision, decideConsent, ManagerOverride } from '../consent';
import { findDuplicateIncident } from '../matching';
import { OpenCasesService } from '../openCases/openCases.service';
import { ChildRepeats, householdKnown, linkHousehold, linkSubjects, recordSubjects, repeatsFor } from '../people/people';
import { InjectPolicy } from '../policy.provider';
import { rate, RATING_ORDER, RatingResult } from '../rating';
import { caseSubjects } from './caseSubjects';
import { caseIdFor, checkSubjects } from './subjects';

/** Two agencies' reports of one incident further apart than this are two incidents. */
const DUPLICATE_WINDOW_HOURS = Number(process.env.MASH_DUPLICATE_WINDOW_HOURS ?? 12);

export interface CaseRow {
  case_id: string;
  contact_id: string;
  start_rating: Rating;
  current_rating: Rating;
  end_rating: Rating | null;
  rule_ids: string[];
  reasons: string[];
  policy_version: string;
  deadline: Date;
  received_at: Date;
  lawful_basis: LawfulBasis;
  check_plan: PlanItem[];
  revision: number;
  state: string;
  allocated_worker: string | null;
}

export async function lockCase(m: EntityManager, caseId: string): Promise<CaseRow | undefined> {
  const [c]: CaseRow[] = await m.query(`SELECT * FROM triage.cases WHERE case_id = $1 FOR UPDATE`, [caseId]);
  return c;
}

export async function latestOverride(m: EntityManager, caseId: string): Promise<ManagerOverride | undefined> {
  const [o] = await m.query(
    `SELECT recorded_by_name, basis, reason FROM triage.consent_overrides WHERE case_id = $1 ORDER BY recorded_at DESC, override_id DESC LIMIT 1`,
    [caseId],
  );
  return o ? { by: o.recorded_by_name, basis: o.basis, reason: o.reason } : undefined;
}

const cut = (s: string) => (s.length > 500 ? `${s.slice(0, 497)}...` : s);

/**
 * A contact arrives: its people are matched and linked into a household, repeats counted, a
 * duplicate report of a known incident found, consent decided, the case rated on the locality
 * policy with the rules that fired, its deadline set on the calendar and its checks planned.
 */
@Injectable()
export class IntakeService {
  constructor(
    @InjectPolicy() private readonly policy: Policy,
    private readonly openCases: OpenCasesService,
  ) {}

  async open(e: ContactReceived, ctx: MessageContext): Promise<void> {
    const m = ctx.manager;
    // One intake at a time across replicas: two agencies reporting one incident in the same
    // second must see each other, and one new child must not become two people.
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('triage:intake'))`);
    if ((await m.query(`SELECT 1 FROM triage.contacts WHERE contact_id = $1`, [e.contactId])).length) return;

    const receivedAt = new Date(e.receivedAt);
    const incidentAt = e.contact.incident?.occurredAt ?? e.receivedAt;
    const recent: { body: ContactReceived }[] = await m.query(
      `SELECT body FROM triage.contacts WHERE incident_ref = $1
          OR incident_at BETWEEN $2::timestamptz - make_interval(hours => $3) AND $2::timestamptz + make_interval(hours => $3)`,
      [e.contact.incident?.reference ?? null, incidentAt, DUPLICATE_WINDOW_HOURS],
    );
    const duplicate = findDuplicateIncident(e, recent.map((r) => r.body), { windowHours: DUPLICATE_WINDOW_HOURS });
    const original = duplicate
      ? (await m.query(`SELECT case_id FROM triage.contacts WHERE contact_id = $1`, [duplicate.duplicateOf]))[0]?.case_id as string | undefined
      : undefined;
    const existing = original ? await lockCase(m, original) : undefined;
    const caseId = existing?.case_id ?? caseIdFor(e.contactId);

    const linked = await linkSubjects(m, e);
    const householdId = await linkHousehold(m, e.contactId, linked);
    const knownHousehold = householdId ? await householdKnown(m, householdId, caseId) : false;
    const repeats = await repeatsFor(m, linked, caseId, receivedAt, this.policy.repeatTrigger);
    const open = await this.openCases.find(m, e.contact);
    const consent = decideConsent(e.contact.consent, this.policy, existing ? await latestOverride(m, caseId) : undefined);
    const rated = rate({ contact: e.contact, now: receivedAt, knownHousehold, repeatCount: repeats?.count ?? 1, openToSocialCare: open ? { worker: open.worker } : undefined }, this.policy);
    const reasons = this.explain(rated, { repeats, householdId: knownHousehold ? householdId : undefined, openCaseId: open?.openCaseId });
    if (consent.limited) reasons.push(cut(`Plan: ${consent.reasons.join(' ')}`));

    const subjects = checkSubjects(e.contact, linked);
    const now = new Date();
    const contactRow = async (rating: Rating, ruleIds: string[]) => {
      await m.query(
        `INSERT INTO triage.contacts (contact_id, case_id, source_agency, received_at, incident_at, incident_ref, duplicate_of, duplicate_reasons, rating, rule_ids, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [e.contactId, caseId, e.sourceAgency, e.receivedAt, incidentAt, e.contact.incident?.reference ?? null, duplicate?.duplicateOf ?? null,
          duplicate ? JSON.stringify(duplicate.reasons) : null, rating, JSON.stringify(ruleIds), JSON.stringify(e)],
      );
      await recordSubjects(m, e.contactId, caseId, e.receivedAt, linked);
    };

    if (existing && duplicate) {
      await this.joinCase(e, ctx, existing, { rated, reasons, consent, duplicateOf: duplicate.duplicateOf, duplicateReasons: duplicate.reasons, receivedAt, now });
      await contactRow(rated.rating, rated.ruleIds);
      return;
    }

    const deadline = deadlineFor(rated.rating, receivedAt, this.policy);
    const plan = planChecks(rated.rating, e.contact, this.policy, consent, receivedAt);
    await m.query(
      `INSERT INTO triage.cases (case_id, contact_id, source_agency, received_at, start_rating, current_rating, rule_ids, reasons, policy_version, deadline, lawful_basis, check_plan, allocated_worker, household_id)
       VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [caseId, e.contactId, e.sourceAgency, e.receivedAt, rated.rating, JSON.stringify(rated.ruleIds), JSON.stringify(reasons), rated.policyVersion,
        deadline, consent.lawfulBasis, JSON.stringify(plan), open?.worker ?? null, householdId ?? null],
    );
    await m.query(
      `INSERT INTO triage.ratings (case_id, stage, rating, rule_ids, reasons, policy_version, rated_by) VALUES ($1, 'start', $2, $3, $4, $5, 'rules')`,
      [caseId, rated.rating, JSON.stringify(rated.ruleIds), JSON.stringify(reasons), rated.policyVersion],
    );
    await contactRow(rated.rating, rated.ruleIds);
    const data: CaseRated = {
      caseId, contactId: e.contactId, stage: 'start', rating: rated.rating, ruleIds: rated.ruleIds, reasons, policyVersion: rated.policyVersion,
      ratedAt: now.toISOString(), deadline: deadline.toISOString(), checkPlan: plan, subjects, lawfulBasis: consent.lawfulBasis,
      ...(open ? { allocatedWorker: open.worker } : {}),
    };
    await ctx.publish({ topic: TOPICS.caseRated, key: caseId, data });
    await this.alertIfRed(ctx, caseId, e.contactId, rated.rating, rated.ruleIds, now);
    log('info', 'case rated', {
      caseId, contactId: e.contactId, rating: rated.rating, rules: rated.ruleIds, policyVersion: rated.policyVersion,
      subjects: linked.length, matched: linked.filter((l) => l.matchedBy !== 'new').length, limited: consent.limited, openCase: open?.openCaseId,
    });
  }

  /**
   * A second report of a known incident joins its case: no agency is asked again. If this report
   * alone rates higher, the case is escalated: a revised start rating asks only the agencies the
   * higher rating adds, on the shorter clock.
   */
  private async joinCase(
    e: ContactReceived,
    ctx: MessageContext,
    c: CaseRow,
    x: { rated: RatingResult; reasons: string[]; consent: ConsentDecision; duplicateOf: string; duplicateReasons: string[]; receivedAt: Date; now: Date },
  ): Promise<void> {
    const m = ctx.manager;
    const dup = cut(`Duplicate of contact ${x.duplicateOf}: ${x.duplicateReasons.join('; ')}.`);
    const subjects = await caseSubjects(m, c.case_id);
    const escalates = RATING_ORDER[x.rated.rating] > RATING_ORDER[c.current_rating];
    let data: CaseRated;
    if (escalates) {
      const revision = c.revision + 1;
      const sooner = deadlineFor(x.rated.rating, x.receivedAt, this.policy);
      const deadline = sooner < new Date(c.deadline) ? sooner : new Date(c.deadline);
      const wanted = capDueTimes(planChecks(x.rated.rating, e.contact, this.policy, x.consent, x.receivedAt), deadline);
      const added = planAdditions(c.check_plan, wanted);
      const reasons = [dup, ...x.reasons];
      await m.query(
        `UPDATE triage.cases SET current_rating = $2, revision = $3, deadline = $4, check_plan = $5, rule_ids = $6, reasons = $7, updated_at = now() WHERE case_id = $1`,
        [c.case_id, x.rated.rating, revision, deadline, JSON.stringify(mergePlans(c.check_plan, added)), JSON.stringify(x.rated.ruleIds), JSON.stringify(reasons)],
      );
      await m.query(
        `INSERT INTO triage.ratings (case_id, stage, rating, rule_ids, reasons, policy_version, rated_by, reason) VALUES ($1, 'start', $2, $3, $4, $5, 'rules', $6)`,
        [c.case_id, x.rated.rating, JSON.stringify(x.rated.ruleIds), JSON.stringify(reasons), x.rated.policyVersion, `revision ${revision}: escalated by duplicate report ${e.contactId}`],
      );
      data = {
        caseId: c.case_id, contactId: e.contactId, stage: 'start', revision, rating: x.rated.rating, previousRating: c.current_rating, ruleIds: x.rated.ruleIds,
        reasons, policyVersion: x.rated.policyVersion, ratedAt: x.now.toISOString(), deadline: deadline.toISOString(), checkPlan: added, subjects,
        lawfulBasis: x.consent.lawfulBasis, duplicateOf: x.duplicateOf, ...(c.allocated_worker ? { allocatedWorker: c.allocated_worker } : {}),
      };
    } else {
      data = {
        caseId: c.case_id, contactId: e.contactId, stage: 'start', rating: c.current_rating, ruleIds: c.rule_ids,
        reasons: [dup, cut(`This report alone rates ${x.rated.rating} (${x.rated.ruleIds.join(', ')}); the case stays ${c.current_rating} and no agency is asked again.`)],
        policyVersion: c.policy_version, ratedAt: x.now.toISOString(), deadline: new Date(c.deadline).toISOString(), checkPlan: [], subjects,
        lawfulBasis: c.lawful_basis, duplicateOf: x.duplicateOf, ...(c.allocated_worker ? { allocatedWorker: c.allocated_worker } : {}),
      };
    }
    await ctx.publish({ topic: TOPICS.caseRated, key: c.case_id, data });
    if (escalates) await this.alertIfRed(ctx, c.case_id, e.contactId, x.rated.rating, x.rated.ruleIds, x.now);
    log('info', 'duplicate report joined its case', { caseId: c.case_id, contactId: e.contactId, duplicateOf: x.duplicateOf, escalated: escalates, rating: data.rating });
  }

  private async alertIfRed(ctx: MessageContext, caseId: string, contactId: string, rating: Rating, ruleIds: string[], now: Date): Promise<void> {
    const teams = teamsToAlert(rating, this.policy);
    if (!teams.length) return;
    await ctx.publish({ topic: TOPICS.teamsAlerted, key: caseId, data: { caseId, contactId, alertedAt: now.toISOString(), teams, ruleIds } });
  }

  /** The policy's reason for each rule, with the facts behind it (ids and counts, never names). */
  private explain(r: RatingResult, facts: { repeats?: ChildRepeats; householdId?: string; openCaseId?: string }): string[] {
    return r.ruleIds.map((id, i) => {
      const when = this.policy.thresholds.rules.find((x) => x.id === id)?.when;
      let reason = r.reasons[i];
      if (when?.repeatTriggerFires && facts.repeats) reason += ` Child ${facts.repeats.personId}: ${facts.repeats.reason}.`;
      if (when?.knownHousehold && facts.householdId) reason += ` Household ${facts.householdId} is in an earlier contact.`;
      if (when?.openToSocialCare && facts.openCaseId) reason += ` Open case ${facts.openCaseId}: routed to its allocated worker.`;
      if (when?.minRiskFactors !== undefined) reason += ` Risk factors: ${r.riskFactors.join(', ')}.`;
      return cut(reason);
    });
  }
}
