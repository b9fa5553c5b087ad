import type { DecisionOutcome, NoticeIssued } from '@mash/contracts';
import { londonClock, londonDay } from '../outcomeNotice/londonTime';
import { OUTCOME_LABEL, orderedOutcomes } from '../outcomeNotice/outcomeText';
import { isOrganisationRecipient } from '../outcomeNotice/referrer';

/*
 * Lewisham's practice (docs/sources.md L2871): referrers received a daily report of contacts that went no
 * further, saying the threshold was not met and where support could come from instead. A digest
 * is built only from the structured fields of outcome notices already issued to that
 * organisation, never from their free text, so it can disclose nothing the notices did not.
 */

export interface Digest {
  organisation: string;
  /** London calendar day, YYYY-MM-DD. */
  day: string;
  text: string;
  count: number;
  /** The notices summarised, so a resent digest can be matched to what it covered. */
  noticeIds: string[];
}

// A digest is for contacts that stopped at the front door; one that was stepped up or passed to
// another area is still live and is reported by its own notice.
const HEADLINE: readonly DecisionOutcome[] = ['nfa', 'advice', 'signposting'];
const STILL_OPEN: ReadonlySet<string> = new Set<DecisionOutcome>(['social-care-assessment', 'strategy-discussion', 'transfer']);

const SECTION_TITLE: Record<string, string> = {
  nfa: 'No further action',
  advice: 'Advice and information given',
  signposting: 'Signposted to universal or community services',
};

function headlineOf(n: NoticeIssued): DecisionOutcome | undefined {
  const outs = n.outcomes ?? [];
  if (outs.some((o) => STILL_OPEN.has(o))) return undefined;
  return HEADLINE.find((h) => outs.includes(h));
}

function isOutcomeNoticeOf(day: string) {
  // Self-referrers share one recipient label; a digest of them would put one family's outcome
  // in front of another.
  return (n: NoticeIssued) =>
    n.kind === 'outcome' && isOrganisationRecipient(n.recipient) && londonDay(n.issuedAt) === day && headlineOf(n) !== undefined;
}

function uniqueById(notices: NoticeIssued[]): NoticeIssued[] {
  // The same decision delivered twice yields the same notice id: count it once.
  const seen = new Map<string, NoticeIssued>();
  for (const n of notices) if (!seen.has(n.noticeId)) seen.set(n.noticeId, n);
  return [...seen.values()];
}

function line(n: NoticeIssued): string {
  const refs = [n.agencyReference ? `Your ref ${n.agencyReference}` : undefined, `MASH ref ${n.contactId ?? n.caseId}`]
    .filter(Boolean)
    .join(', ');
  const labels = orderedOutcomes((n.outcomes ?? []) as DecisionOutcome[])
    .map((o) => OUTCOME_LABEL[o])
    .join('; ');
  const who = n.decidedBy ? ` by ${n.decidedBy.name}, ${n.decidedBy.role}` : '';
  return `- ${refs}: ${labels} (decided${who}; notice sent ${londonClock(n.issuedAt)})`;
}

const dayFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
function dayHeading(day: string): string {
  // Noon UTC is the same calendar day in London whatever the season.
  return dayFormat.format(new Date(`${day}T12:00:00Z`));
}

/** The day's no-further-action and advice outcomes for one referring organisation. */
export function dailyDigest(organisation: string, notices: NoticeIssued[], day: string): Digest {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)))
    throw new RangeError(`day must be YYYY-MM-DD, got ${day}`);
  const mine = uniqueById(notices.filter((n) => n.recipient === organisation).filter(isOutcomeNoticeOf(day))).sort(
    (a, b) => a.issuedAt.localeCompare(b.issuedAt) || a.noticeId.localeCompare(b.noticeId),
  );
  const header = ['MASH daily outcome report', `To: ${organisation}`, `Day: ${dayHeading(day)}`, ''];
  if (mine.length === 0) {
    return {
      organisation,
      day,
      count: 0,
      noticeIds: [],
      text: [...header, 'None of your contacts were closed with no further action or advice on this day.'].join('\n'),
    };
  }

  const sections = HEADLINE.flatMap((h) => {
    const group = mine.filter((n) => headlineOf(n) === h);
    return group.length === 0 ? [] : ['', `${SECTION_TITLE[h]} (${group.length}):`, ...group.map(line)];
  });
  const teams = [
    ...new Map(mine.flatMap((n) => (n.responsibleTeam ? [[n.responsibleTeam.name, n.responsibleTeam] as const] : []))).values(),
  ];
  const text = [
    ...header,
    `${mine.length} of your contacts did not meet the threshold for children's social care involvement, or were closed ` +
      'with advice, on this day. Each has also had its own outcome notice.',
    ...sections,
    '',
    'Support for these children and families can still be offered through early help and the Team Around the Child, ' +
      'and through universal services such as the school, GP or health visitor.',
    'If you remain worried about a child, or the situation changes, contact the MASH quoting the MASH reference. A new ' +
      'concern should be made as a new referral: repeated concerns are looked at together.',
    ...teams.map((t) => `Contact: ${t.name}, in office hours ${t.inHours}${t.outOfHours ? `, out of hours ${t.outOfHours}` : ''}.`),
    'If a child is in immediate danger, call 999.',
  ].join('\n');
  return { organisation, day, count: mine.length, noticeIds: mine.map((n) => n.noticeId), text };
}

/** One digest per referring organisation that had any such outcome on the day. */
export function dailyDigests(notices: NoticeIssued[], day: string): Digest[] {
  const orgs = [...new Set(notices.filter(isOutcomeNoticeOf(day)).map((n) => n.recipient))].sort();
  return orgs.map((o) => dailyDigest(o, notices, day));
}
