import type { PlanItem } from '@mash/contracts';

/**
 * What a revised plan adds to the plan already sent: agencies not asked before, and agencies asked
 * before that may now see more (their item carries the whole new grant, so the agency gets one
 * complete request). Nothing already asked is asked again.
 */
export function planAdditions(before: readonly PlanItem[], after: readonly PlanItem[]): PlanItem[] {
  const asked = new Map(before.map((p) => [p.agency, new Set(p.categories)]));
  return after.filter((p) => {
    const had = asked.get(p.agency);
    return !had || p.categories.some((c) => !had.has(c));
  });
}

/** The plan as it stands after a revision: categories joined per agency, the earlier due time kept. */
export function mergePlans(before: readonly PlanItem[], added: readonly PlanItem[]): PlanItem[] {
  const out = new Map(before.map((p) => [p.agency, { ...p, categories: [...p.categories] }]));
  for (const a of added) {
    const had = out.get(a.agency);
    if (!had) out.set(a.agency, { ...a, categories: [...a.categories] });
    else {
      had.categories = [...new Set([...had.categories, ...a.categories])];
      if (Date.parse(a.dueAt) < Date.parse(had.dueAt)) had.dueAt = a.dueAt;
    }
  }
  return [...out.values()];
}

/** No agency is given longer than the case: items due after the deadline are due at it. */
export function capDueTimes(plan: readonly PlanItem[], deadline: Date): PlanItem[] {
  return plan.map((p) => (Date.parse(p.dueAt) > deadline.getTime() ? { ...p, dueAt: deadline.toISOString() } : p));
}
