import { Injectable } from '@nestjs/common';
import { CaseRated, ContactReceived, Rating, TOPICS } from '@mash/contracts';
import { log, MessageContext } from '@mash/messaging';
import { deadlineFor, Policy, teamsToAlert } from '@mash/policy';
import { CaseRow, escalateCase, latestOverride, lockCase, RatingEntry } from '../cases/cases.repository';
import { capDueTimes, mergePlans, planAdditions, planChecks } from '../checkPlan';
import { ConsentDecision, decideConsent } from '../consent';
import { caseOfContact, contactKnown, possibleSameIncident } from '../contacts/contacts.repository';
import { addressKey, findDuplicateIncident } from '../matching';
import { OpenCasesService } from '../openCases/openCases.service';
import { ChildRepeats, likelyLockKeys, linkHousehold, linkSubjects, repeatsFor } from '../people/people';
import { InjectPolicy } from '../policy.provider';
import { rate, RATING_ORDER, RatingResult } from '../rating';
import { residenceFlag } from '../area/residence';
import { caseSubjects } from './caseSubjects';
import { contactLockKeys, IntakeLocks, lockKey } from './intakeLocks';
import { underIntakeLocks } from './intakeLocks.repository';
import { fileContact, FiledContact } from './intake.repository';
import { caseIdFor, checkSubjects } from './subjects';
import { now as hubNow } from '@mash/platform/clock';

/** Two agencies' reports of one incident further apart than this are two incidents. */
const DUPLICATE_WINDOW_HOURS = Number(process.env.MASH_DUPLICATE_WINDOW_HOURS ?? 12);

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

  /**
   * Only intakes that share a contact, an incident, an address, a strong identifier, a blocking
   * area, a known person or a household wait for each other (see intakeLocks.ts); everything the
   * intake reads is read after the lock that guards it.
   */
  async open(e: ContactReceived, ctx: MessageContext): Promise<void> {
    const keys = [...contactLockKeys(e), ...(await likelyLockKeys(ctx.manager, e, DUPLICATE_WINDOW_HOURS))];
    await underIntakeLocks(ctx.manager, keys, (locks) => this.openLocked(e, ctx, locks), { mayWait: ctx.mayWait });
  }

  private async openLocked(e: ContactReceived, ctx: MessageContext, locks: IntakeLocks): Promise<void> {
    const m = ctx.manager;
    if (await contactKnown(m, e.contactId)) return;

    const receivedAt = new Date(e.receivedAt);
    const incidentAt = e.contact.incident?.occurredAt ?? e.receivedAt;
    const address = addressKey(e);
    const { linked, candidateIds, newPersons, blocks } = await linkSubjects(m, e, locks);
    // Only the history of the people this contact could be about, its address and its incident reference.
    const recent = await possibleSameIncident(m, {
      incidentRef: e.contact.incident?.reference,
      addressKey: address,
      personIds: candidateIds,
      incidentAt,
      windowHours: DUPLICATE_WINDOW_HOURS,
    });
    const duplicate = findDuplicateIncident(e, recent, { windowHours: DUPLICATE_WINDOW_HOURS });
    const original = duplicate ? await caseOfContact(m, duplicate.duplicateOf) : undefined;
    // Two reports joining one case by different routes (an address, a reference) must not each hold
    // a row the other waits for: the case is a lock key like the rest, taken at the round's start.
    if (original) locks.require([lockKey.case(original)]);
    const existing = original ? await lockCase(m, original) : undefined;
    const caseId = existing?.case_id ?? caseIdFor(e.contactId);

    const household = await linkHousehold(m, e.contactId, linked, caseId, locks);
    const householdId = household?.householdId;
    const knownHousehold = household?.known ?? false;
    const repeats = await repeatsFor(m, linked, caseId, receivedAt, this.policy.repeatTrigger);
    const open = await this.openCases.find(m, e.contact);
    const consent = decideConsent(e.contact.consent, this.policy, existing ? await latestOverride(m, caseId) : undefined);
    const rated = rate(
      {
        contact: e.contact,
        now: receivedAt,
        knownHousehold,
        repeatCount: repeats?.count ?? 1,
        openToSocialCare: open ? { worker: open.worker } : undefined,
      },
      this.policy,
    );
    const reasons = this.explain(rated, { repeats, householdId: knownHousehold ? householdId : undefined, openCaseId: open?.openCaseId });
    if (consent.limited) reasons.push(cut(`Plan: ${consent.reasons.join(' ')}`));
    const residence = residenceFlag(e.contact, this.policy);
    if (residence) reasons.push(cut(residence.reason));

    const subjects = checkSubjects(e.contact, linked);
    const now = hubNow();
    // The contact, its new people, its links and its people's blocks, written with the case's new rows (if any) in one statement.
    const file = (rating: Rating, ruleIds: string[], rows: Pick<FiledContact, 'newCase' | 'rating'>) =>
      fileContact(m, {
        ...rows,
        contact: {
          event: e,
          caseId,
          incidentAt,
          addressKey: address,
          duplicateOf: duplicate?.duplicateOf,
          duplicateReasons: duplicate?.reasons,
          rating,
          ruleIds,
        },
        newPersons: newPersons.map((p) => (household?.members.includes(p.personId) ? { ...p, householdId } : p)),
        subjects: linked.map((l) => ({
          subjectRef: l.subject.subjectRef,
          personId: l.personId,
          kind: l.subject.kind,
          matchedBy: l.matchedBy,
          score: l.score,
          reasons: l.reasons,
        })),
        blocks,
      });

    if (existing && duplicate) {
      const escalation = await this.joinCase(e, ctx, existing, {
        rated,
        reasons,
        consent,
        duplicateOf: duplicate.duplicateOf,
        duplicateReasons: duplicate.reasons,
        receivedAt,
        now,
      });
      await file(rated.rating, rated.ruleIds, { rating: escalation && { caseId, entry: escalation } });
      return;
    }

    const deadline = deadlineFor(rated.rating, receivedAt, this.policy);
    const plan = planChecks(rated.rating, e.contact, this.policy, consent, receivedAt);
    await file(rated.rating, rated.ruleIds, {
      newCase: {
        caseId,
        contactId: e.contactId,
        sourceAgency: e.sourceAgency,
        receivedAt,
        rating: rated.rating,
        ruleIds: rated.ruleIds,
        reasons,
        policyVersion: rated.policyVersion,
        deadline,
        lawfulBasis: consent.lawfulBasis,
        checkPlan: plan,
        allocatedWorker: open?.worker,
        householdId,
      },
      rating: {
        caseId,
        entry: {
          stage: 'start',
          rating: rated.rating,
          ruleIds: rated.ruleIds,
          reasons,
          policyVersion: rated.policyVersion,
          ratedBy: 'rules',
        },
      },
    });
    const data: CaseRated = {
      caseId,
      contactId: e.contactId,
      stage: 'start',
      rating: rated.rating,
      ruleIds: rated.ruleIds,
      reasons,
      policyVersion: rated.policyVersion,
      ratedAt: now.toISOString(),
      deadline: deadline.toISOString(),
      checkPlan: plan,
      subjects,
      lawfulBasis: consent.lawfulBasis,
      ...(open ? { allocatedWorker: open.worker } : {}),
      ...(residence ? { outOfArea: residence.outOfArea } : {}),
    };
    await ctx.publish({ topic: TOPICS.caseRated, key: caseId, data });
    await this.alertIfRed(ctx, caseId, e.contactId, rated.rating, rated.ruleIds, now);
    log('info', 'case rated', {
      caseId,
      contactId: e.contactId,
      rating: rated.rating,
      rules: rated.ruleIds,
      policyVersion: rated.policyVersion,
      subjects: linked.length,
      outOfAreaHub: residence?.outOfArea.hub?.id,
      lockRounds: locks.round,
      matched: linked.filter((l) => l.matchedBy !== 'new').length,
      limited: consent.limited,
      openCase: open?.openCaseId,
    });
  }

  /**
   * A second report of a known incident joins its case: no agency is asked again. If this report
   * alone rates higher, the case is escalated: a revised start rating asks only the agencies the
   * higher rating adds, on the shorter clock. Returns that revised rating's history line, which
   * the caller writes with the contact.
   */
  private async joinCase(
    e: ContactReceived,
    ctx: MessageContext,
    c: CaseRow,
    x: {
      rated: RatingResult;
      reasons: string[];
      consent: ConsentDecision;
      duplicateOf: string;
      duplicateReasons: string[];
      receivedAt: Date;
      now: Date;
    },
  ): Promise<RatingEntry | undefined> {
    const m = ctx.manager;
    const dup = cut(`Duplicate of contact ${x.duplicateOf}: ${x.duplicateReasons.join('; ')}.`);
    const subjects = await caseSubjects(m, c.case_id);
    const escalates = RATING_ORDER[x.rated.rating] > RATING_ORDER[c.current_rating];
    let data: CaseRated;
    let entry: RatingEntry | undefined;
    if (escalates) {
      const revision = c.revision + 1;
      const sooner = deadlineFor(x.rated.rating, x.receivedAt, this.policy);
      const deadline = sooner < c.deadline ? sooner : c.deadline;
      const wanted = capDueTimes(planChecks(x.rated.rating, e.contact, this.policy, x.consent, x.receivedAt), deadline);
      const added = planAdditions(c.check_plan, wanted);
      const reasons = [dup, ...x.reasons];
      await escalateCase(m, c.case_id, {
        rating: x.rated.rating,
        revision,
        deadline,
        checkPlan: mergePlans(c.check_plan, added),
        ruleIds: x.rated.ruleIds,
        reasons,
      });
      entry = {
        stage: 'start',
        rating: x.rated.rating,
        ruleIds: x.rated.ruleIds,
        reasons,
        policyVersion: x.rated.policyVersion,
        ratedBy: 'rules',
        reason: `revision ${revision}: escalated by duplicate report ${e.contactId}`,
      };
      data = {
        caseId: c.case_id,
        contactId: e.contactId,
        stage: 'start',
        revision,
        rating: x.rated.rating,
        previousRating: c.current_rating,
        ruleIds: x.rated.ruleIds,
        reasons,
        policyVersion: x.rated.policyVersion,
        ratedAt: x.now.toISOString(),
        deadline: deadline.toISOString(),
        checkPlan: added,
        subjects,
        lawfulBasis: x.consent.lawfulBasis,
        duplicateOf: x.duplicateOf,
        ...(c.allocated_worker ? { allocatedWorker: c.allocated_worker } : {}),
      };
    } else {
      data = {
        caseId: c.case_id,
        contactId: e.contactId,
        stage: 'start',
        rating: c.current_rating,
        ruleIds: c.rule_ids,
        reasons: [
          dup,
          cut(
            `This report alone rates ${x.rated.rating} (${x.rated.ruleIds.join(', ')}); the case stays ${c.current_rating} and no agency is asked again.`,
          ),
        ],
        policyVersion: c.policy_version,
        ratedAt: x.now.toISOString(),
        deadline: c.deadline.toISOString(),
        checkPlan: [],
        subjects,
        lawfulBasis: c.lawful_basis,
        duplicateOf: x.duplicateOf,
        ...(c.allocated_worker ? { allocatedWorker: c.allocated_worker } : {}),
      };
    }
    await ctx.publish({ topic: TOPICS.caseRated, key: c.case_id, data });
    if (escalates) await this.alertIfRed(ctx, c.case_id, e.contactId, x.rated.rating, x.rated.ruleIds, x.now);
    log('info', 'duplicate report joined its case', {
      caseId: c.case_id,
      contactId: e.contactId,
      duplicateOf: x.duplicateOf,
      escalated: escalates,
      rating: data.rating,
    });
    return entry;
  }

  private async alertIfRed(
    ctx: MessageContext,
    caseId: string,
    contactId: string,
    rating: Rating,
    ruleIds: string[],
    now: Date,
  ): Promise<void> {
    const teams = teamsToAlert(rating, this.policy);
    if (!teams.length) return;
    await ctx.publish({
      topic: TOPICS.teamsAlerted,
      key: caseId,
      data: { caseId, contactId, alertedAt: now.toISOString(), teams, ruleIds },
    });
  }

  /** The policy's reason for each rule, with the facts behind it (ids and counts, never names). */
  private explain(r: RatingResult, facts: { repeats?: ChildRepeats; householdId?: string; openCaseId?: string }): string[] {
    return r.ruleIds
      .map((id, i) => {
        const when = this.policy.thresholds.rules.find((x) => x.id === id)?.when;
        let reason = r.reasons[i];
        if (when?.repeatTriggerFires && facts.repeats) reason += ` Child ${facts.repeats.personId}: ${facts.repeats.reason}.`;
        if (when?.knownHousehold && facts.householdId) reason += ` Household ${facts.householdId} is in an earlier contact.`;
        if (when?.openToSocialCare && facts.openCaseId) reason += ` Open case ${facts.openCaseId}: routed to its allocated worker.`;
        if (when?.minRiskFactors !== undefined) reason += ` Risk factors: ${r.riskFactors.join(', ')}.`;
        return cut(reason);
      })
      .concat(r.notes.map(cut));
  }
}
