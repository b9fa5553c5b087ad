import type { CaseReady, DataCategory, Rating } from '@mash/contracts';
import type { ReratingRules } from '@mash/policy';

/**
 * The hub's defaults where a locality's policy says nothing: current domestic abuse or offending
 * is live risk, not history; two agencies currently involved is a mosaic worth a step up.
 */
export const DEFAULT_RERATING: Required<Omit<ReratingRules, 'note'>> = {
  harmCategories: ['domestic-abuse', 'offending'],
  severalAgenciesCurrent: 2,
  lowerAmberWhenNothingCurrent: true,
};
const UP: Record<Rating, Rating> = { BLUE: 'GREEN', GREEN: 'AMBER', AMBER: 'RED', RED: 'RED' };

export interface ReRating {
  rating: Rating;
  /** The start rules, then the re-rating rules that fired (RR-...). */
  ruleIds: string[];
  reasons: string[];
  change: 'escalated' | 'de-escalated' | 'unchanged';
}

/**
 * The rating at the end of checks, on the fuller picture: one step up when agencies report live
 * risk, one step down (Amber to Green only) when every agency replied and none knows of anything
 * current. Red is never lowered by a rule: a decision maker does that, with a reason. Each rule
 * says which agencies and categories made it fire, never what they wrote.
 */
export function reRate(start: { rating: Rating; ruleIds: string[] }, picture: CaseReady, policyRules: ReratingRules = {}): ReRating {
  const rules = { ...DEFAULT_RERATING, ...policyRules };
  const harmCategories: readonly DataCategory[] = rules.harmCategories;
  const current = picture.chronology.filter((e) => e.current === true);
  const harm = current.filter((e) => e.category !== undefined && harmCategories.includes(e.category));
  const currentAgencies = [...new Set(current.map((e) => e.agency))].sort();
  const fired: { id: string; reason: string }[] = [];

  if (harm.length) {
    const said = [...new Set(harm.map((e) => `${e.agency} (${e.category})`))].sort().join(', ');
    fired.push({ id: 'RR-CURRENT-HARM', reason: `Current involvement in a harm category reported by ${said}.` });
  }
  if (currentAgencies.length >= rules.severalAgenciesCurrent) {
    fired.push({
      id: 'RR-SEVERAL-AGENCIES-CURRENT',
      reason: `${currentAgencies.length} agencies are currently involved: ${currentAgencies.join(', ')}.`,
    });
  }
  let rating = start.rating;
  if (fired.length) {
    rating = UP[start.rating];
  } else if (rules.lowerAmberWhenNothingCurrent && start.rating === 'AMBER' && picture.complete && picture.missing.length === 0) {
    if (picture.chronology.length === 0) {
      fired.push({
        id: 'RR-NOTHING-KNOWN',
        reason: `Every agency asked (${picture.replied.join(', ') || 'none'}) replied and none knows the family.`,
      });
      rating = 'GREEN';
    } else if (current.length === 0) {
      fired.push({
        id: 'RR-NOTHING-CURRENT',
        reason: `Every agency asked replied; ${picture.chronology.length} past entries, none current.`,
      });
      rating = 'GREEN';
    }
  }
  const reasons = fired.map((f) => f.reason);
  if (!fired.length) {
    reasons.push(
      picture.missing.length
        ? `No re-rating rule fired; no reply yet from ${picture.missing.join(', ')}, so the rating is not lowered.`
        : 'No re-rating rule fired: the checks confirm the start rating.',
    );
  }
  const change = rating === start.rating ? 'unchanged' : ORDER[rating] > ORDER[start.rating] ? 'escalated' : 'de-escalated';
  return { rating, ruleIds: [...start.ruleIds, ...fired.map((f) => f.id)], reasons, change };
}

const ORDER: Record<Rating, number> = { BLUE: 0, GREEN: 1, AMBER: 2, RED: 3 };
