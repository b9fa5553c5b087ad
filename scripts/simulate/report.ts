import type { CheckAgency, Rating } from '@mash/contracts';
import { workingTimeBetween, type WorkingCalendar } from '@mash/policy';

/**
 * The simulation's report (docs/simulation.md): what children and referrers would get, by rating,
 * computed only from what the hub published (case rated / ready, checks requested / chased,
 * decisions, notice receipts), so it judges the hub and not the simulator's intentions.
 */

export interface CaseRecord {
  caseId: string;
  /** The case's first rating: the report groups by it. */
  rating: Rating;
  /**
   * The rating the decision maker sees: the latest the hub made (an escalation by a second report,
   * or the end-of-checks re-rating, which a quiet picture can lower from Amber to Green).
   */
  latestRating?: Rating;
  /** When the first contact of the case was received (its clock start). */
  receivedAt: number;
  deadline: number;
  readyAt?: number;
  missingAtReady?: CheckAgency[];
  decidedAt?: number;
}

export interface RequestRecord {
  requestId: string;
  caseId: string;
  agency: CheckAgency;
  requestedAt: number;
  dueAt: number;
  repliedAt?: number;
  reminders: number[];
}

export interface ReferrerRecord {
  contactId: string;
  caseId?: string;
  /** The referrer gave a way to be told (a webhook, topic or email channel). */
  hasChannel: boolean;
  /** When the simulator sent the contact: a report of a case already decided is told from then. */
  sentAt?: number;
  outcomeAt?: number;
  outcomeStatus?: 'delivered' | 'failed' | 'no-channel';
}

export interface SimRecords {
  policy: string;
  calendar: WorkingCalendar;
  cases: CaseRecord[];
  requests: RequestRecord[];
  referrers: ReferrerRecord[];
}

export interface Figures {
  rating: Rating | 'ALL';
  cases: number;
  readyInTime: number;
  decidedInTime: number;
  decided: number;
  medianWorkingDays: number | null;
  p90WorkingDays: number | null;
  overdueRequests: number;
  chasedBeforeDue: number;
  ready: number;
  readyWithMissing: number;
  referrersWithChannel: number;
  toldWithinMinute: number;
  noChannel: number;
}

export const RATINGS: Rating[] = ['RED', 'AMBER', 'GREEN'];

/** Working time between two instants, in working days of the calendar (the reports' unit). */
export function workingDaysBetween(from: number, to: number, calendar: WorkingCalendar): number {
  return workingTimeBetween(new Date(from), new Date(to), 'working-days', calendar);
}

/** Nearest-rank percentile of a non-empty list. */
export function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function figures(records: SimRecords): Figures[] {
  const ratingOf = new Map(records.cases.map((c) => [c.caseId, c.rating]));
  const readyOf = new Map(records.cases.map((c) => [c.caseId, c.readyAt]));
  const decidedOf = new Map(records.cases.map((c) => [c.caseId, c.decidedAt]));
  return [...RATINGS, 'ALL' as const].map((rating) => {
    const inRating = (caseId: string | undefined) =>
      !!caseId && (rating === 'ALL' ? ratingOf.has(caseId) : ratingOf.get(caseId) === rating);
    const cases = records.cases.filter((c) => inRating(c.caseId));
    const decided = cases.filter((c) => c.decidedAt !== undefined);
    const days = decided.map((c) => workingDaysBetween(c.receivedAt, c.decidedAt!, records.calendar));
    // Overdue: no reply by the due time while the case still waited for it (a case already ready
    // has stopped chasing, rightly).
    const overdue = records.requests.filter(
      (r) =>
        inRating(r.caseId) && !(r.repliedAt !== undefined && r.repliedAt <= r.dueAt) && !((readyOf.get(r.caseId) ?? Infinity) < r.dueAt),
    );
    const ready = cases.filter((c) => c.readyAt !== undefined);
    const told = records.referrers.filter((r) => inRating(r.caseId) && decidedOf.get(r.caseId!) !== undefined);
    const withChannel = told.filter((r) => r.hasChannel);
    return {
      rating,
      cases: cases.length,
      readyInTime: cases.filter((c) => c.readyAt !== undefined && c.readyAt <= c.deadline).length,
      decidedInTime: decided.filter((c) => c.decidedAt! <= c.deadline).length,
      decided: decided.length,
      medianWorkingDays: percentile(days, 50),
      p90WorkingDays: percentile(days, 90),
      overdueRequests: overdue.length,
      chasedBeforeDue: overdue.filter((r) => r.reminders.some((t) => t <= r.dueAt)).length,
      ready: ready.length,
      readyWithMissing: ready.filter((c) => (c.missingAtReady ?? []).length > 0).length,
      referrersWithChannel: withChannel.length,
      toldWithinMinute: withChannel.filter((r) => toldWithinMinute(r, decidedOf.get(r.caseId!)!)).length,
      noChannel: told.filter((r) => !r.hasChannel || r.outcomeStatus === 'no-channel').length,
    };
  });
}

/**
 * Told within a minute of the decision, or of its own arrival for a report that joined a case
 * already decided (its referrer cannot be told before the hub has it).
 */
export function toldWithinMinute(r: ReferrerRecord, decidedAt: number): boolean {
  return r.outcomeStatus === 'delivered' && r.outcomeAt !== undefined && r.outcomeAt - Math.max(decidedAt, r.sentAt ?? 0) <= 60_000;
}

const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : 'n/a');
const wd = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));

const COLUMNS: [string, (f: Figures) => string][] = [
  ['rating', (f) => f.rating],
  ['cases', (f) => String(f.cases)],
  ['ready in timescale', (f) => `${pct(f.readyInTime, f.cases)} (${f.readyInTime})`],
  ['decided in timescale', (f) => `${pct(f.decidedInTime, f.cases)} (${f.decidedInTime})`],
  ['decision median wd', (f) => wd(f.medianWorkingDays)],
  ['decision p90 wd', (f) => wd(f.p90WorkingDays)],
  ['overdue agencies chased before due', (f) => `${pct(f.chasedBeforeDue, f.overdueRequests)} (${f.chasedBeforeDue}/${f.overdueRequests})`],
  ['ready with agencies missing', (f) => `${pct(f.readyWithMissing, f.ready)} (${f.readyWithMissing}/${f.ready})`],
  [
    'referrers told within 1 min',
    (f) => `${pct(f.toldWithinMinute, f.referrersWithChannel)} (${f.toldWithinMinute}/${f.referrersWithChannel})`,
  ],
  ['no-channel referrers', (f) => String(f.noChannel)],
];

export function markdownTable(policy: string, rows: Figures[]): string {
  const head = `| ${COLUMNS.map(([h]) => h).join(' | ')} |`;
  const sep = `| ${COLUMNS.map(() => '---').join(' | ')} |`;
  return [`**${policy}**`, '', head, sep, ...rows.map((f) => `| ${COLUMNS.map(([, v]) => v(f)).join(' | ')} |`)].join('\n');
}

export function textTable(policy: string, rows: Figures[]): string {
  const cells = [COLUMNS.map(([h]) => h), ...rows.map((f) => COLUMNS.map(([, v]) => v(f)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return [policy, ...cells.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  '))].join('\n');
}

const CSV_FIELDS: (keyof Figures)[] = [
  'rating',
  'cases',
  'readyInTime',
  'decidedInTime',
  'decided',
  'medianWorkingDays',
  'p90WorkingDays',
  'overdueRequests',
  'chasedBeforeDue',
  'ready',
  'readyWithMissing',
  'referrersWithChannel',
  'toldWithinMinute',
  'noChannel',
];

export function csvRows(policy: string, rows: Figures[], header = true): string {
  const lines = rows.map((f) =>
    [
      policy,
      ...CSV_FIELDS.map((k) =>
        f[k] === null ? '' : typeof f[k] === 'number' ? String(Number((f[k] as number).toFixed(4))) : String(f[k]),
      ),
    ].join(','),
  );
  return [...(header ? [['policy', ...CSV_FIELDS].join(',')] : []), ...lines].join('\n') + '\n';
}
