import type { CheckAgency, CheckReplied, ChronologyEntry } from '@mash/contracts';

/** A reply as it enters the chronology: lateness is decided by readiness, on the hub's clock. */
export interface ChronologyReply {
  reply: CheckReplied;
  /** When the hub received it; decides which of two duplicate entries is kept. Defaults to repliedAt. */
  receivedAt?: Date | string;
  late?: boolean;
}

/** Two or more agencies' (or one agency's repeated) entries about one event, folded into one. */
export interface FoldedDuplicate {
  kept: ChronologyEntry;
  /** Who else reported it; also on the kept entry (`alsoReportedBy`), so the source of every fold shows. */
  alsoReportedBy: CheckAgency[];
  dropped: ChronologyEntry[];
}

export interface Chronology {
  entries: ChronologyEntry[];
  folded: FoldedDuplicate[];
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

// Agencies record date-only events in English local dates; a date-time at 23:30Z in summer is the
// next day in England, so comparing it with a date-only entry by its UTC date would misplace it.
const londonDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });

interface When {
  day: string;
  /** Milliseconds for date-times; undefined for date-only entries and unreadable dates. */
  instant?: number;
  readable: boolean;
}

function when(date: string): When {
  if (DATE_ONLY.test(date)) return { day: date, readable: !Number.isNaN(Date.parse(`${date}T00:00:00Z`)) };
  const t = Date.parse(date);
  if (Number.isNaN(t)) return { day: '', readable: false };
  return { day: londonDate.format(new Date(t)), instant: t, readable: true };
}

/**
 * Order: by English calendar day; within a day, date-only entries first (the agency knew the day,
 * not the hour, and a reader sees "that day" before the hour-by-hour), then by instant; ties by
 * agency, subject and summary, so the order never depends on which reply arrived first.
 * Unreadable dates (the schema should have stopped them) go last rather than being lost.
 */
function compare(a: { entry: ChronologyEntry; when: When }, b: { entry: ChronologyEntry; when: When }): number {
  if (a.when.readable !== b.when.readable) return a.when.readable ? -1 : 1;
  if (a.when.day !== b.when.day) return a.when.day < b.when.day ? -1 : 1;
  const ai = a.when.instant ?? Number.NEGATIVE_INFINITY;
  const bi = b.when.instant ?? Number.NEGATIVE_INFINITY;
  if (ai !== bi) return ai - bi;
  return (
    a.entry.agency.localeCompare(b.entry.agency) ||
    (a.entry.subjectId ?? '').localeCompare(b.entry.subjectId ?? '') ||
    a.entry.summary.localeCompare(b.entry.summary) ||
    a.entry.date.localeCompare(b.entry.date)
  );
}

/** Case, accents, punctuation and spacing differ between systems keying the same event. */
export function normaliseSummary(summary: string): string {
  return summary
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * Same event = same subject (or both household-wide), same category, same normalised summary, and
 * the same day when either side has only a date, or the same instant when both have a time (two
 * missed appointments at 09:00 and 15:00 are two events). Category is part of it because the
 * category decides who may see an entry; folding across categories would change that.
 */
function duplicateKey(entry: ChronologyEntry, w: When): string {
  return JSON.stringify([entry.subjectId ?? null, entry.category ?? null, normaliseSummary(entry.summary), w.day]);
}

/**
 * One case's multi-agency chronology from the replies to its checks. Every entry names the agency
 * that said it (taken from the reply) and carries `late` when its reply was late. Duplicates are
 * folded into the entry from the reply the hub received first; the others are returned in `folded`
 * so the audit trail of what each agency provided stays whole.
 */
export function mergeChronology(replies: readonly ChronologyReply[]): Chronology {
  const caseIds = new Set(replies.map((r) => r.reply.caseId));
  // One chronology is one case: mixing two would show one family's records to another's decision.
  if (caseIds.size > 1) throw new Error(`replies of several cases: ${[...caseIds].join(', ')}`);

  const received = (r: ChronologyReply) => {
    const t = new Date(r.receivedAt ?? r.reply.repliedAt).getTime();
    return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t;
  };
  const inOrderOfReceipt = [...replies].sort((a, b) => received(a) - received(b) || a.reply.agency.localeCompare(b.reply.agency));

  const items: { entry: ChronologyEntry; when: When }[] = [];
  for (const r of inOrderOfReceipt) {
    for (const e of r.reply.entries) {
      const entry: ChronologyEntry = { ...e, agency: r.reply.agency };
      if (r.late) entry.late = true;
      items.push({ entry, when: when(e.date) });
    }
  }

  // Date-only and date-time versions of one event must meet: group by day first, then fold a
  // date-time into a group only if the group has a date-only entry or the very same instant.
  const groups = new Map<string, { entry: ChronologyEntry; when: When }[][]>();
  for (const item of items) {
    const key = duplicateKey(item.entry, item.when);
    const sameDay = groups.get(key) ?? [];
    const group = item.when.readable
      ? sameDay.find((g) =>
          g.some((x) => x.when.instant === undefined || item.when.instant === undefined || x.when.instant === item.when.instant),
        )
      : undefined;
    if (group) group.push(item);
    else sameDay.push([item]);
    groups.set(key, sameDay);
  }

  const kept: { entry: ChronologyEntry; when: When }[] = [];
  const folded: FoldedDuplicate[] = [];
  for (const sameDay of groups.values()) {
    for (const [first, ...rest] of sameDay) {
      kept.push(first);
      if (rest.length) {
        const others = [...new Set(rest.map((x) => x.entry.agency).filter((a) => a !== first.entry.agency))].sort();
        // The decision maker must see that two agencies said the same thing: corroboration is evidence.
        if (others.length) first.entry.alsoReportedBy = others;
        folded.push({ kept: first.entry, alsoReportedBy: others, dropped: rest.map((x) => x.entry) });
      }
    }
  }
  return { entries: kept.sort(compare).map((x) => x.entry), folded };
}

/**
 * One person's view: their own entries and the household's (entries with no subject). A child's
 * chronology includes what agencies said about the household they live in.
 */
export function chronologyFor(entries: readonly ChronologyEntry[], subjectId: string): ChronologyEntry[] {
  return entries.filter((e) => e.subjectId === undefined || e.subjectId === subjectId);
}
