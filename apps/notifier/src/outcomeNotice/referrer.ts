import type { Contact, ReferralSource, SubmittingAgency } from '@mash/contracts';

export type Referrer = Contact['referrer'];

/**
 * Who reads the notice decides what it may say. A professional gets the outcome and what it
 * means for their work; a member of the public gets that a decision was made, not what happens to
 * a family that is not theirs; someone who referred themselves (CIN source 1C) is the family.
 */
export type Audience = 'professional' | 'public' | 'self';

// CIN census referral sources: 1A family, 1B acquaintance, 1D other individual, 9 anonymous,
// 10 unknown are people acting privately; 1C is self-referral; the rest are agencies.
const PUBLIC_SOURCES: ReadonlySet<ReferralSource> = new Set<ReferralSource>(['1A', '1B', '1D', '9', '10']);

export function audienceOf(referrer: Pick<Referrer, 'source'>): Audience {
  if (referrer.source === '1C') return 'self';
  return PUBLIC_SOURCES.has(referrer.source) ? 'public' : 'professional';
}

const SELF = 'self-referrer';
const PUBLIC = 'member of the public';
const ANONYMOUS = 'anonymous referrer';
const PRIVATE_RECIPIENTS: ReadonlySet<string> = new Set([SELF, PUBLIC, ANONYMOUS]);

/** False for the role labels that stand for many unrelated private people, which must never be grouped. */
export function isOrganisationRecipient(recipient: string): boolean {
  return !PRIVATE_RECIPIENTS.has(recipient);
}

/**
 * The recipient label carried on the notice and its receipts. For professionals it is their
 * organisation, which is what the daily digest groups by. For anyone else it is a role, never a
 * name: receipts travel on topics and into logs, and a private referrer's identity is the most
 * protected detail the hub holds.
 */
export function referrerRecipient(referrer: Referrer, sourceAgency?: SubmittingAgency): string {
  const audience = audienceOf(referrer);
  if (audience === 'self') return SELF;
  if (audience === 'public') return referrer.source === '9' ? ANONYMOUS : PUBLIC;
  const org = referrer.organisation?.trim() || referrer.odsCode?.trim();
  if (org) return org.slice(0, 200);
  return sourceAgency ? `${sourceAgency} referrer` : `referrer (source ${referrer.source})`;
}
