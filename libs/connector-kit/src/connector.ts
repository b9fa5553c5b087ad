import type { CheckAgency, CheckReplied, CheckRequested, DataCategory, ReplyEntry } from '@mash/contracts';

/** What an agency's own systems hold about the subjects of a request, before the fire-wall. */
export interface LookupResult {
  known: boolean;
  currentInvolvement?: boolean;
  entries: ReplyEntry[];
}

/** An agency connector: it searches only its own systems, for requests addressed to it. */
export interface Connector {
  agency: CheckAgency;
  lookup(request: CheckRequested): Promise<LookupResult>;
}

/** Identity function that makes a connector's shape checked where it is written. */
export function defineConnector(connector: Connector): Connector {
  return connector;
}

// Limits of mash.check.*.replied.v1: a reply over them would be dead-lettered whole.
const MAX_ENTRIES = 500;
const MAX_SUMMARY = 2000;

const granted = (request: CheckRequested) => new Set<DataCategory>(request.categories);

/**
 * The reply to a request, through the fire-wall: an agency shares only what the plan asked of it,
 * in proportion to the risk (docs/domain.md, Checks). So an entry leaves only if
 * - its category is one the request grants (an entry without a category cannot show it was asked
 *   for, so it stays home);
 * - it is about a subject of the request, or about no one in particular (household-wide);
 * and current involvement is said only when `involvement` is granted. Whether the agency knows the
 * subjects at all is the question every check asks, so `known` always goes.
 */
export function answer(request: CheckRequested, result: LookupResult, now: Date): CheckReplied {
  const categories = granted(request);
  const subjects = new Set(request.subjects.map((s) => s.subjectId));
  let entries = result.entries
    .filter((e) => e.category !== undefined && categories.has(e.category))
    .filter((e) => e.subjectId === undefined || subjects.has(e.subjectId))
    .filter((e) => e.summary.trim().length > 0)
    .map((e) => (e.summary.length > MAX_SUMMARY ? { ...e, summary: `${e.summary.slice(0, MAX_SUMMARY - 1)}…` } : { ...e }));

  if (entries.length > MAX_ENTRIES) {
    // Keep the most recent and say how much was left out, so the decision maker knows to ask.
    const newestFirst = [...entries].sort((a, b) => Date.parse(b.date) - Date.parse(a.date));
    const kept = newestFirst.slice(0, MAX_ENTRIES - 1);
    const left = newestFirst.slice(MAX_ENTRIES - 1);
    entries = [
      ...kept,
      {
        date: left[0].date,
        category: left[0].category,
        summary: `${left.length} earlier records not listed; ask ${request.agency} directly.`,
      },
    ];
  }

  return {
    requestId: request.requestId,
    caseId: request.caseId,
    agency: request.agency,
    repliedAt: now.toISOString(),
    known: result.known,
    ...(categories.has('involvement') && result.currentInvolvement !== undefined ? { currentInvolvement: result.currentInvolvement } : {}),
    entries,
  };
}
