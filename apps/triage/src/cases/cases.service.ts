import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { CaseRated, CaseReady, CheckSubject, Contact, ContactReceived, DecisionRecorded, TOPICS } from '@mash/contracts';
import { log, MessageContext } from '@mash/messaging';
import { firstRating } from './firstRating';

/** A case id derived from the contact id, so a replayed contact opens the same case. */
export function caseIdFor(contactId: string): string {
  return `CS-${createHash('sha256').update(contactId).digest('hex').slice(0, 20)}`;
}

export function checkSubjects(contact: Contact): CheckSubject[] {
  const postcode = contact.household?.address?.postcode;
  return contact.subjects.map((s) => ({
    subjectId: s.subjectRef,
    kind: s.kind,
    ...(s.givenName ? { givenName: s.givenName } : {}),
    ...(s.familyName ? { familyName: s.familyName } : {}),
    ...(s.dateOfBirth ? { dateOfBirth: s.dateOfBirth } : {}),
    ...(s.expectedDate ? { expectedDate: s.expectedDate } : {}),
    ...(s.identifiers?.nhsNumber ? { nhsNumber: s.identifiers.nhsNumber } : {}),
    ...(s.identifiers?.upn ? { upn: s.identifiers.upn } : {}),
    ...(s.identifiers?.policePersonId ? { policePersonId: s.identifiers.policePersonId } : {}),
    ...(postcode ? { postcode } : {}),
  }));
}

@Injectable()
export class CasesService {
  async open(e: ContactReceived, ctx: MessageContext): Promise<void> {
    const caseId = caseIdFor(e.contactId);
    const now = new Date();
    const r = firstRating(e.contact, new Date(e.receivedAt));
    await ctx.manager.query(
      `INSERT INTO triage.cases (case_id, contact_id, source_agency, received_at, start_rating, rule_ids, reasons, policy_version, deadline, lawful_basis, check_plan)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [caseId, e.contactId, e.sourceAgency, e.receivedAt, r.rating, JSON.stringify(r.ruleIds), JSON.stringify(r.reasons), r.policyVersion, r.deadline, r.lawfulBasis, JSON.stringify(r.checkPlan)],
    );
    await ctx.manager.query(
      `INSERT INTO triage.ratings (case_id, stage, rating, rule_ids, reasons, policy_version, rated_by) VALUES ($1, 'start', $2, $3, $4, $5, 'rules')`,
      [caseId, r.rating, JSON.stringify(r.ruleIds), JSON.stringify(r.reasons), r.policyVersion],
    );
    const rated: CaseRated = { caseId, contactId: e.contactId, stage: 'start', ratedAt: now.toISOString(), subjects: checkSubjects(e.contact), ...r };
    await ctx.publish({ topic: TOPICS.caseRated, key: caseId, data: rated });
    if (r.rating === 'RED') {
      await ctx.publish({ topic: TOPICS.teamsAlerted, key: caseId, data: { caseId, contactId: e.contactId, alertedAt: now.toISOString(), teams: ['MASH social work team'], ruleIds: r.ruleIds } });
    }
    log('info', 'case rated', { caseId, contactId: e.contactId, rating: r.rating, rules: r.ruleIds });
  }

  async reRate(e: CaseReady, ctx: MessageContext): Promise<void> {
    const [c] = await ctx.manager.query(`SELECT * FROM triage.cases WHERE case_id = $1`, [e.caseId]);
    if (!c) throw new Error(`caseReady for unknown case ${e.caseId}`);
    // Until the policy engine re-rates on the full picture, the end rating keeps the start rating.
    const rating = c.start_rating;
    await ctx.manager.query(`UPDATE triage.cases SET end_rating = $2, state = 'ready', updated_at = now() WHERE case_id = $1`, [e.caseId, rating]);
    await ctx.manager.query(
      `INSERT INTO triage.ratings (case_id, stage, rating, rule_ids, reasons, policy_version, rated_by) VALUES ($1, 'end', $2, $3, $4, $5, 'rules')`,
      [e.caseId, rating, c.rule_ids, JSON.stringify(['checks finished: rating unchanged']), c.policy_version],
    );
    const rated: CaseRated = {
      caseId: e.caseId, contactId: c.contact_id, stage: 'end', rating, previousRating: c.start_rating, ruleIds: c.rule_ids,
      reasons: ['checks finished: rating unchanged'], policyVersion: c.policy_version, ratedAt: new Date().toISOString(),
      deadline: new Date(c.deadline).toISOString(), checkPlan: [], subjects: [], lawfulBasis: c.lawful_basis,
    };
    await ctx.publish({ topic: TOPICS.caseRated, key: e.caseId, data: rated });
  }

  async applyDecision(e: DecisionRecorded, ctx: MessageContext): Promise<void> {
    await ctx.manager.query(
      `UPDATE triage.cases SET final_rating = $2, decision_id = $3, state = 'decided', updated_at = now() WHERE case_id = $1`,
      [e.caseId, e.finalRating, e.decisionId],
    );
    await ctx.manager.query(
      `INSERT INTO triage.ratings (case_id, stage, rating, rule_ids, reasons, policy_version, rated_by, reason)
       SELECT $1, 'decision', $2, '[]', '[]', policy_version, $3, $4 FROM triage.cases WHERE case_id = $1`,
      [e.caseId, e.finalRating, e.decisionMaker.name, e.ratingChangeReason ?? null],
    );
  }
}
