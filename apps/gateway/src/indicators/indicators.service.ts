import { Injectable } from '@nestjs/common';
import { IndicatorsRepository, Period } from './indicators.repository';
import { countRepeats, twelveMonthsBefore } from './repeatContacts';

const RATINGS = ['RED', 'AMBER', 'GREEN', 'BLUE'] as const;

/**
 * The London MASH template's outcome groups (docs/domain.md): stepped up to children's social care,
 * stepped across to early help or a partner's process, signposted or advised, no further action,
 * transferred out. A decision counts once in each group any of its outcomes belongs to.
 */
export const OUTCOME_GROUPS: Record<string, string> = {
  'social-care-assessment': 'stepped-up',
  'strategy-discussion': 'stepped-up',
  'early-help': 'stepped-across',
  'marac-referral': 'stepped-across',
  signposting: 'signposted',
  advice: 'signposted',
  'information-provided': 'signposted',
  nfa: 'no-further-action',
  transfer: 'transfer',
};

export interface Indicators {
  period: { from: string; to: string };
  contacts: {
    total: number;
    bySource: Record<string, number>;
    byPresentingIssue: Record<string, number>;
    repeatWithin12Months: number;
    repeatShare: number | null;
  };
  ratings: {
    atStart: Record<string, number>;
    atEnd: Record<string, number>;
    changeMatrix: Record<string, Record<string, number>>;
    undecided: number;
  };
  timeInMash: Record<string, { decided: number; withinTarget: number; shareWithinTarget: number | null; medianHours: number | null }>;
  outcomes: { decisions: number; byOutcome: Record<string, number>; byGroup: Record<string, number> };
  partnerReplies: Record<string, { requested: number; onTime: number; late: number; noReply: number; shareOnTime: number | null }>;
  referrersWithoutChannel: { total: number; byReason: Record<string, number> };
  notices: { delivered: number; failed: number; noChannel: number };
}

const share = (n: number, of: number) => (of === 0 ? null : Math.round((n / of) * 1000) / 1000);
const median = (xs: number[]) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return Math.round((s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2) * 100) / 100;
};
const zeros = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, 0]));
/** Counts by key, keys in sorted order (as the figures have always been listed). */
const countBy = (keys: string[]): Record<string, number> => {
  const n: Record<string, number> = {};
  for (const k of [...keys].sort()) n[k] = (n[k] ?? 0) + 1;
  return n;
};

@Injectable()
export class IndicatorsService {
  constructor(private readonly repo: IndicatorsRepository) {}

  async figures(p: Period): Promise<Indicators> {
    // The repeat count looks 12 months back from each contact of the period, so the read starts there.
    const [received, cases, replies, notices] = await Promise.all([
      this.repo.contactsReceived(twelveMonthsBefore(p.from), p.to),
      this.repo.casesOf(p),
      this.repo.partnerReplies(p),
      this.repo.notices(p),
    ]);
    const inPeriod = received.filter((c) => c.receivedAt >= p.from && c.receivedAt < p.to);
    const bySource = countBy(inPeriod.map((c) => c.source ?? 'unknown'));
    const issues = countBy(inPeriod.flatMap((c) => c.issues));
    const noChannel = countBy(inPeriod.filter((c) => c.channelKind === 'none').map((c) => c.noChannelReason ?? 'unknown'));
    const repeats = countRepeats(received, p.from, p.to);
    const ratings = cases.map((k) => ({ start: k.start, end: k.decision?.finalRating ?? null }));
    const decided = cases.flatMap((k) =>
      k.decision
        ? [
            {
              rating: k.start,
              hours: (k.decision.decidedAt.getTime() - k.receivedAt.getTime()) / 3600_000,
              withinTarget: k.decision.decidedAt.getTime() <= k.deadline.getTime(),
              outcomes: k.decision.outcomes,
            },
          ]
        : [],
    );
    const atStart = zeros(RATINGS);
    const atEnd = zeros(RATINGS);
    const changeMatrix = Object.fromEntries(RATINGS.map((r) => [r, zeros(RATINGS)]));
    let undecided = 0;
    for (const r of ratings) {
      if (r.start) atStart[r.start] = (atStart[r.start] ?? 0) + 1;
      if (!r.end) {
        undecided++;
        continue;
      }
      atEnd[r.end] = (atEnd[r.end] ?? 0) + 1;
      if (r.start) changeMatrix[r.start][r.end]++;
    }
    const timeInMash = Object.fromEntries(
      RATINGS.map((rating) => {
        const of = decided.filter((d) => d.rating === rating);
        const within = of.filter((d) => d.withinTarget).length;
        return [
          rating,
          {
            decided: of.length,
            withinTarget: within,
            shareWithinTarget: share(within, of.length),
            medianHours: median(of.map((d) => d.hours)),
          },
        ];
      }),
    );
    const byOutcome = zeros(Object.keys(OUTCOME_GROUPS));
    const byGroup = zeros([...new Set(Object.values(OUTCOME_GROUPS))]);
    for (const d of decided) {
      for (const o of d.outcomes) byOutcome[o] = (byOutcome[o] ?? 0) + 1;
      for (const g of new Set(d.outcomes.map((o) => OUTCOME_GROUPS[o]).filter(Boolean))) byGroup[g]++;
    }
    return {
      period: { from: p.from.toISOString(), to: p.to.toISOString() },
      contacts: {
        total: inPeriod.length,
        bySource,
        byPresentingIssue: issues,
        repeatWithin12Months: repeats,
        repeatShare: share(repeats, inPeriod.length),
      },
      ratings: { atStart, atEnd, changeMatrix, undecided },
      timeInMash,
      outcomes: { decisions: decided.length, byOutcome, byGroup },
      partnerReplies: Object.fromEntries(
        replies.map((r) => [
          r.agency,
          { requested: r.requested, onTime: r.onTime, late: r.late, noReply: r.noReply, shareOnTime: share(r.onTime, r.requested) },
        ]),
      ),
      referrersWithoutChannel: { total: Object.values(noChannel).reduce((s, n) => s + n, 0), byReason: noChannel },
      notices: { delivered: notices.delivered ?? 0, failed: notices.failed ?? 0, noChannel: notices['no-channel'] ?? 0 },
    };
  }
}

/** Every figure as one row (indicator, dimension, value): the CSV, and what a test compares with the JSON. */
export function indicatorRows(i: Indicators): [string, string, string][] {
  const rows: [string, string, string][] = [];
  const walk = (prefix: string[], v: unknown) => {
    if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk([...prefix, k], x);
      return;
    }
    rows.push([prefix[0], prefix.slice(1).join('.'), v === null ? '' : String(v)]);
  };
  for (const [k, v] of Object.entries(i)) if (k !== 'period') walk([k], v);
  return rows;
}

const csvCell = (s: string) =>
  /[",\r\n]/.test(s) || /^[=+\-@\t]/.test(s) ? `"${(/^[=+\-@\t]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"` : s;

/** RFC 4180 CSV with the period on every row (a spreadsheet filtered by row keeps its period); formula-like cells are defused. */
export function indicatorsCsv(i: Indicators): string {
  const lines = [['from', 'to', 'indicator', 'dimension', 'value'].join(',')];
  for (const r of indicatorRows(i)) lines.push([i.period.from, i.period.to, ...r].map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
