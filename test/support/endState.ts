import { Client } from 'pg';
import { CaseReady, CheckRequested, NoticeIssued, TOPICS } from '@mash/contracts';
import { LogReader } from './logReader';

/** Topics whose records the end-state check reads (logical names). */
export const END_STATE_TOPICS = (requestTopics: string[], noticeTopics: string[]) => [
  TOPICS.caseRated,
  TOPICS.caseReady,
  TOPICS.deadLetter,
  ...requestTopics,
  ...noticeTopics,
];

export interface EndStateReport {
  contacts: number;
  cases: number;
  requests: number;
  notices: number;
  /** Envelope ids found at more than one log position (sent twice; consumers must ignore the second). */
  rewrittenEnvelopes: number;
  /** One line per broken rule, naming the contact or case: empty when every contact ended right. */
  violations: string[];
}

const group = <T, K>(xs: T[], key: (x: T) => K) => {
  const m = new Map<K, T[]>();
  for (const x of xs) m.set(key(x), [...(m.get(key(x)) ?? []), x]);
  return m;
};

/**
 * Every contact reached its end state exactly once, read from the services' own tables and from
 * what is on the topics:
 * - one case per contact (triage), and the contact is linked to that case;
 * - one request per planned agency (checks table and request topics: one envelope per case and
 *   agency, none for an agency outside the plan), every request replied;
 * - readiness declared once (one caseReady envelope per case, checks.cases.ready_at set);
 * - one acknowledgement and one outcome notice per referrer (notifier table and notice topic);
 * - nothing parked in the dead-letter topic.
 */
export async function checkEndState(
  db: Client,
  log: Pick<LogReader, 'messages' | 'rewritten'>,
  contactIds: string[],
  referrerNoticeTopic: string,
): Promise<EndStateReport> {
  const violations: string[] = [];
  const cases = (
    await db.query(`SELECT case_id, contact_id, check_plan, duplicate_of FROM triage.cases WHERE contact_id = ANY($1)`, [contactIds])
  ).rows as {
    case_id: string;
    contact_id: string;
    check_plan: { agency: string }[];
    duplicate_of: string | null;
  }[];
  const caseOf = new Map<string, string>();
  for (const [contactId, rows] of group(cases, (c) => c.contact_id)) {
    if (rows.length !== 1) violations.push(`contact ${contactId}: ${rows.length} cases`);
    caseOf.set(contactId, rows[0]!.case_id);
  }
  for (const id of contactIds) if (!caseOf.has(id)) violations.push(`contact ${id}: no case`);
  const links = (await db.query(`SELECT contact_id, case_id FROM triage.contacts WHERE contact_id = ANY($1)`, [contactIds])).rows as {
    contact_id: string;
    case_id: string;
  }[];
  for (const id of contactIds) {
    const mine = links.filter((l) => l.contact_id === id);
    if (mine.length !== 1 || mine[0]!.case_id !== caseOf.get(id))
      violations.push(`contact ${id}: linked to ${JSON.stringify(mine.map((l) => l.case_id))}, case ${caseOf.get(id)}`);
  }

  const caseIds = cases.map((c) => c.case_id);
  const requestRows = (await db.query(`SELECT case_id, agency, replied_at FROM checks.requests WHERE case_id = ANY($1)`, [caseIds]))
    .rows as { case_id: string; agency: string; replied_at: Date | null }[];
  const readyRows = (await db.query(`SELECT case_id, ready_at FROM checks.cases WHERE case_id = ANY($1)`, [caseIds])).rows as {
    case_id: string;
    ready_at: Date | null;
  }[];
  const requestsOnLog = log.messages((t) => /^mash\.check\..+\.requested\.v1$/.test(t));
  const readyOnLog = log.messages(TOPICS.caseReady);
  const caseSet = new Set(caseIds);
  for (const c of cases) {
    const planned = [...new Set(c.check_plan.map((p) => p.agency))].sort();
    const inTable = requestRows.filter((r) => r.case_id === c.case_id);
    const tableAgencies = inTable.map((r) => r.agency).sort();
    if (JSON.stringify(tableAgencies) !== JSON.stringify(planned))
      violations.push(`case ${c.case_id}: requests in checks for ${tableAgencies.join(',') || 'none'}, planned ${planned.join(',')}`);
    const unreplied = inTable.filter((r) => !r.replied_at).map((r) => r.agency);
    if (unreplied.length) violations.push(`case ${c.case_id}: no reply recorded from ${unreplied.join(',')}`);
    const sent = requestsOnLog.filter((m) => (m.envelope.data as CheckRequested).caseId === c.case_id);
    for (const [agency, msgs] of group(sent, (m) => (m.envelope.data as CheckRequested).agency)) {
      const envelopes = new Set(msgs.map((m) => m.envelope.id));
      const requestIds = new Set(msgs.map((m) => (m.envelope.data as CheckRequested).requestId));
      if (envelopes.size !== 1 || requestIds.size !== 1)
        violations.push(`case ${c.case_id}: ${envelopes.size} request envelopes (${requestIds.size} request ids) to ${agency}`);
      if (!planned.includes(agency)) violations.push(`case ${c.case_id}: request to ${agency}, which is not in its plan`);
    }
    for (const agency of planned)
      if (!sent.some((m) => (m.envelope.data as CheckRequested).agency === agency))
        violations.push(`case ${c.case_id}: no request to ${agency} on its topic`);
    const ready = readyRows.find((r) => r.case_id === c.case_id);
    if (!ready?.ready_at) violations.push(`case ${c.case_id}: not ready in checks`);
    const declared = new Set(readyOnLog.filter((m) => (m.envelope.data as CaseReady).caseId === c.case_id).map((m) => m.envelope.id));
    if (declared.size !== 1) violations.push(`case ${c.case_id}: readiness declared ${declared.size} times`);
  }

  const noticeRows = (await db.query(`SELECT contact_id, kind, notice_id FROM notifier.notices WHERE contact_id = ANY($1)`, [contactIds]))
    .rows as { contact_id: string; kind: string; notice_id: string }[];
  const noticesOnLog = log.messages(referrerNoticeTopic).map((m) => ({ id: m.envelope.id, notice: m.envelope.data as NoticeIssued }));
  for (const id of contactIds) {
    for (const kind of ['acknowledgement', 'outcome']) {
      const rows = noticeRows.filter((n) => n.contact_id === id && n.kind === kind);
      if (rows.length !== 1) violations.push(`contact ${id}: ${rows.length} ${kind} notices in the notifier`);
      const issued = noticesOnLog.filter((n) => n.notice.contactId === id && n.notice.kind === kind);
      const distinct = new Set(issued.map((n) => n.notice.noticeId));
      const envelopes = new Set(issued.map((n) => n.id));
      if (distinct.size !== 1 || envelopes.size !== 1)
        violations.push(`contact ${id}: ${distinct.size} ${kind} notices (${envelopes.size} envelopes) on ${referrerNoticeTopic}`);
    }
  }

  const parked = log.messages(TOPICS.deadLetter);
  for (const p of parked) {
    const d = p.envelope.data as { originalTopic: string; consumer: string; reason: string };
    violations.push(`dead letter from ${d.consumer} on ${d.originalTopic}: ${d.reason.slice(0, 200)}`);
  }

  return {
    contacts: contactIds.length,
    cases: caseSet.size,
    requests: requestRows.length,
    notices: noticeRows.length,
    rewrittenEnvelopes: log.rewritten().length,
    violations,
  };
}

/**
 * The end state once it has had time to settle: what the services wrote reaches the topics a moment
 * after the status says so, so violations are re-read for up to `settleMs` before they stand.
 */
export async function settledEndState(
  db: Client,
  log: Pick<LogReader, 'messages' | 'rewritten'>,
  contactIds: string[],
  referrerNoticeTopic: string,
  settleMs = 60000,
): Promise<EndStateReport> {
  let report = await checkEndState(db, log, contactIds, referrerNoticeTopic);
  const until = Date.now() + settleMs;
  while (report.violations.length && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 1000));
    report = await checkEndState(db, log, contactIds, referrerNoticeTopic);
  }
  return report;
}
