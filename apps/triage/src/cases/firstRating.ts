import { CaseRated, Contact, PlanItem, Rating } from '@mash/contracts';

/**
 * The walking skeleton's rating: a few plain rules until the locality policy engine (issue 4)
 * replaces it. Kept honest: it names the rule that fired and a policy version that says so.
 */
export const SKELETON_POLICY_VERSION = 'skeleton-0';

const HOURS: Record<Rating, number> = { RED: 4, AMBER: 24, GREEN: 72, BLUE: 72 };

export function firstRating(contact: Contact, receivedAt: Date): Pick<CaseRated, 'rating' | 'ruleIds' | 'reasons' | 'policyVersion' | 'deadline' | 'checkPlan' | 'lawfulBasis'> {
  let rating: Rating = 'GREEN';
  let rule = 'skeleton.default-green';
  if (contact.domesticAbuse?.dashRiskLevel === 'high' || contact.urgency === 'immediate') {
    rating = 'RED';
    rule = 'skeleton.high-risk-or-immediate';
  } else if (contact.domesticAbuse?.childrenPresent || contact.domesticAbuse?.dashRiskLevel === 'medium') {
    rating = 'AMBER';
    rule = 'skeleton.domestic-abuse-children-present';
  }
  const deadline = new Date(receivedAt.getTime() + HOURS[rating] * 3600_000);
  const due = new Date(receivedAt.getTime() + HOURS[rating] * 3600_000 * 0.75).toISOString();
  const checkPlan: PlanItem[] = [
    { agency: 'police', categories: ['identity', 'involvement', 'history', 'domestic-abuse'], dueAt: due },
    { agency: 'health', categories: ['identity', 'involvement', 'health'], dueAt: due },
    { agency: 'education', categories: ['identity', 'involvement', 'education'], dueAt: due },
  ];
  return {
    rating,
    ruleIds: [rule],
    reasons: [rule],
    policyVersion: SKELETON_POLICY_VERSION,
    deadline: deadline.toISOString(),
    checkPlan,
    lawfulBasis: contact.consent.status === 'given' ? 'consent' : contact.consent.lawfulBasis ?? 'statutory-function',
  };
}
