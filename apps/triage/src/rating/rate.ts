import type { Contact, Rating } from '@mash/contracts';
import { CodeMap, loadCodeMap } from '@mash/policy';
import type { Policy, RuleConditions, ThresholdRule } from '@mash/policy';

export interface RatingInput {
  contact: Contact;
  now: Date;
  /** The household is already known to the hub (matched to earlier contacts). */
  knownHousehold: boolean;
  /** Contacts about this child inside the policy's repeat window, this one included. */
  repeatCount: number;
  openToSocialCare?: { worker: string };
}

export interface RatingResult {
  rating: Rating;
  /** Every rule that fired, the deciding ones first: a rating always shows its reasons. */
  ruleIds: string[];
  reasons: string[];
  policyVersion: string;
  /** The distinct risk factors the mosaic rules counted. */
  riskFactors: string[];
  /** Codes the code map does not know, for the decision maker to read: no rule counted them. */
  notes: string[];
}

export const RATING_ORDER: Record<Rating, number> = { BLUE: 0, GREEN: 1, AMBER: 2, RED: 3 };

export function higherRating(a: Rating, b: Rating): Rating {
  return RATING_ORDER[a] >= RATING_ORDER[b] ? a : b;
}

/** Codes that say there is no concern: they are not a risk factor. */
const NO_FACTOR = '21';

interface Facts {
  issues: Set<string>;
  factors: string[];
  dash?: 'standard' | 'medium' | 'high';
  childrenPresent: boolean;
  infant: boolean;
  unborn: boolean;
  disabledChild: boolean;
}

function ageInMonths(dateOfBirth: string, now: Date): number {
  const [y, m, d] = dateOfBirth.split('-').map(Number);
  return (now.getUTCFullYear() - y) * 12 + (now.getUTCMonth() + 1 - m) - (now.getUTCDate() < d ? 1 : 0);
}

/** Codes the mapping does not know, in words the decision maker can read beside the rating. */
function unmappedNotes(contact: Contact, codes: CodeMap): string[] {
  const notes = contact.presentingIssues.flatMap((i) => {
    const u = codes.issueCodes(i).unmapped;
    return u
      ? [
          `Code ${u.code}${u.display ? ` (${u.display})` : ''} from ${u.system} has no mapping in code map ${codes.version}: no rule counted it, read it yourself.`,
        ]
      : [];
  });
  return [...new Set(notes)];
}

function factsOf(input: RatingInput, policy: Policy, codes: CodeMap): Facts {
  const { contact } = input;
  // A mapped code counts as the hub's own factor: SNOMED bruising is physical abuse here too.
  const issues = new Set(contact.presentingIssues.flatMap((i) => codes.issueCodes(i).codes));
  const children = contact.subjects.filter((s) => s.kind !== 'adult');
  const unborn = children.some((s) => s.kind === 'unborn');
  const infant =
    unborn || children.some((s) => s.dateOfBirth !== undefined && ageInMonths(s.dateOfBirth, input.now) < policy.thresholds.infantMonths);
  const disabledChild = children.some((s) => s.disability === true);
  const childrenPresent = contact.domesticAbuse?.childrenPresent === true || children.some((s) => s.presentDuringIncident === true);
  const dash = contact.domesticAbuse?.dashRiskLevel;

  // Each factor counts once however it arrived, so the mosaic measures breadth, not repetition.
  const factors = [...issues]
    .filter((c) => c !== NO_FACTOR)
    .sort()
    .map((c) => `issue:${c}`);
  if (dash === 'medium' || dash === 'high') factors.push('dash-medium-or-high');
  if (childrenPresent) factors.push('children-present');
  if (infant) factors.push('infant-or-unborn');
  if (disabledChild) factors.push('disabled-child');
  if (input.knownHousehold) factors.push('known-household');
  if (input.repeatCount >= policy.repeatTrigger.count) factors.push('repeat-contacts');
  if (input.openToSocialCare) factors.push('open-to-social-care');
  return { issues, factors, dash, childrenPresent, infant, unborn, disabledChild };
}

function holds(w: RuleConditions, f: Facts, input: RatingInput, policy: Policy): boolean {
  if (w.issuesAny && !w.issuesAny.some((c) => f.issues.has(c))) return false;
  if (w.issuesAll && !w.issuesAll.every((c) => f.issues.has(c))) return false;
  if (w.dashLevelAny && (f.dash === undefined || !w.dashLevelAny.includes(f.dash))) return false;
  if (w.childrenPresent && !f.childrenPresent) return false;
  if (w.infant && !f.infant) return false;
  if (w.unborn && !f.unborn) return false;
  if (w.disabledChild && !f.disabledChild) return false;
  if (w.knownHousehold && !input.knownHousehold) return false;
  if (w.openToSocialCare && !input.openToSocialCare) return false;
  if (w.repeatTriggerFires && input.repeatCount < policy.repeatTrigger.count) return false;
  if (w.urgencyAny && !w.urgencyAny.includes(input.contact.urgency)) return false;
  if (w.informationOnly && input.contact.informationOnly !== true) return false;
  if (w.minRiskFactors !== undefined && f.factors.length < w.minRiskFactors) return false;
  return true;
}

/** Rates a contact on the policy's threshold rules: the highest rating among the rules that fire. */
export function rate(input: RatingInput, policy: Policy, codes: CodeMap = loadCodeMap()): RatingResult {
  const facts = factsOf(input, policy, codes);
  const fired: ThresholdRule[] = policy.thresholds.rules.filter((r) => holds(r.when, facts, input, policy));
  const base = { policyVersion: policy.version, riskFactors: facts.factors, notes: unmappedNotes(input.contact, codes) };
  if (fired.length === 0) {
    return {
      ...base,
      rating: policy.thresholds.defaultRating,
      ruleIds: ['default'],
      reasons: ['No threshold rule applies: the policy default.'],
    };
  }
  // Stable sort: highest rating first, policy order within a rating.
  const ordered = fired
    .map((r, i) => ({ r, i }))
    .sort((a, b) => RATING_ORDER[b.r.rating] - RATING_ORDER[a.r.rating] || a.i - b.i)
    .map((x) => x.r);
  return { ...base, rating: ordered[0].rating, ruleIds: ordered.map((r) => r.id), reasons: ordered.map((r) => r.reason) };
}
