import type { CheckAgency, Contact, DataCategory, PlanItem, Rating } from '@mash/contracts';
import type { ConsentDecision } from '../consent/consent';
import { pointInTimescale } from '@mash/policy';
import type { Policy } from '@mash/policy';

/**
 * Which agencies are asked, for what, and by when: proportionate to the rating and the presenting
 * issues, never wider than consent allows, each reply due before the case deadline.
 */
export function planChecks(rating: Rating, contact: Contact, policy: Policy, consent: ConsentDecision, ratedAt: Date): PlanItem[] {
  const wanted = new Set<CheckAgency>(policy.consultation.byRating[rating]);
  if (policy.consultation.issueRulesApplyTo.includes(rating)) {
    const codes = new Set(contact.presentingIssues.map((i) => i.code));
    for (const rule of policy.consultation.byIssue) {
      if (rule.issues.some((c) => codes.has(c))) rule.agencies.forEach((a) => wanted.add(a));
    }
  }
  const aboutDomesticAbuse = contact.domesticAbuse !== undefined || contact.presentingIssues.some((i) => i.code === '3');

  const plan: PlanItem[] = [];
  // Policy order, so plans are stable and read the same way every time.
  for (const member of policy.agencies) {
    if (!wanted.has(member.id)) continue;
    let categories: DataCategory[] = member.categories;
    if (consent.limited) {
      const allowed = consent.allowed?.[member.id];
      if (!allowed) continue;
      categories = categories.filter((c) => allowed.includes(c));
    }
    // Need to know: an agency's domestic abuse records are asked for only when the case is about it.
    if (!aboutDomesticAbuse) categories = categories.filter((c) => c !== 'domestic-abuse');
    if (categories.length === 0) continue;
    const fraction = member.replyFraction ?? policy.consultation.replyFraction;
    plan.push({ agency: member.id, categories: [...categories], dueAt: pointInTimescale(rating, ratedAt, fraction, policy).toISOString() });
  }
  return plan;
}
