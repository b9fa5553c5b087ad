/**
 * Agencies the hub knows about. Which of them take part in a locality is policy, not code:
 * this list only fixes the identifiers used in topic names, credentials and plans.
 */
export const CHECK_AGENCIES = ['police', 'health', 'education', 'probation', 'housing', 'adult-social-care', 'youth-justice'] as const;
export type CheckAgency = (typeof CHECK_AGENCIES)[number];

/** Agencies whose systems submit contacts through an adapter, plus the council's own contact centre. */
export const SUBMITTING_AGENCIES = ['police', 'health', 'education', 'contact-centre'] as const;
export type SubmittingAgency = (typeof SUBMITTING_AGENCIES)[number];

export type AgencyId = CheckAgency | SubmittingAgency | 'childrens-social-care';
export const ALL_AGENCIES: readonly AgencyId[] = [
  ...new Set<AgencyId>([...CHECK_AGENCIES, ...SUBMITTING_AGENCIES, 'childrens-social-care']),
];

export function isCheckAgency(x: string): x is CheckAgency {
  return (CHECK_AGENCIES as readonly string[]).includes(x);
}
export function isSubmittingAgency(x: string): x is SubmittingAgency {
  return (SUBMITTING_AGENCIES as readonly string[]).includes(x);
}
