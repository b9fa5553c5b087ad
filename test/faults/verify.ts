import { Client } from 'pg';
import { CHECK_AGENCIES, checkRequestedTopic, TOPICS } from '@mash/contracts';
import { outboxEnvelopes } from '@mash/messaging';
import type { RawRecord } from '@mash/messaging';
import type { GeneratedContact } from '../../scripts/load/generate';
import type { CasePlanRecord } from './replyBot';

/**
 * What must hold after the faults, read from each service's own tables (state and outbox), never
 * from what the suite believes it sent. Each check names what it counted and lists every breach.
 */

export interface CheckResult {
  name: string;
  checked: number;
  failures: string[];
}

export interface Expectations {
  list: readonly GeneratedContact[];
  /** contactId per generated index, as the front door answered. */
  contactIds: Map<number, string>;
  bot: Map<string, CasePlanRecord>;
}

const q = async <T>(pg: Client, sql: string, params: unknown[] = []): Promise<T[]> => (await pg.query(sql, params)).rows as T[];
/** The outbox is sealed at rest: rows are grouped from the opened envelopes, `n` per distinct row. */
function countBy<R extends object>(rows: R[]): (R & { n: number })[] {
  const by = new Map<string, R & { n: number }>();
  for (const r of rows) {
    const k = JSON.stringify(r);
    const hit = by.get(k);
    if (hit) hit.n++;
    else by.set(k, { ...r, n: 1 });
  }
  return [...by.values()];
}

export async function verify(pg: Client, x: Expectations): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const add = (name: string, checked: number, failures: string[]) => results.push({ name, checked, failures });

  // 1. The front door: each contact sent (and re-sent after a gateway crash) is stored once.
  const gw = await q<{ source_agency: string; agency_reference: string; contact_id: string }>(
    pg,
    `SELECT source_agency, agency_reference, contact_id FROM gateway.contacts`,
  );
  const byRef = new Map(gw.map((r) => [`${r.source_agency}|${r.agency_reference}`, r.contact_id]));
  add('gateway: one stored contact per contact sent', x.list.length, [
    ...x.list
      .filter((g) => byRef.get(`${g.agency}|${g.contact.agencyReference}`) !== x.contactIds.get(g.index))
      .map(
        (g) =>
          `contact #${g.index} ${g.contact.agencyReference}: stored ${byRef.get(`${g.agency}|${g.contact.agencyReference}`) ?? 'nothing'}, accepted as ${x.contactIds.get(g.index) ?? 'nothing'}`,
      ),
    ...(gw.length !== x.list.length ? [`gateway holds ${gw.length} contacts for ${x.list.length} sent`] : []),
  ]);

  // 2. One case per incident: a second agency's report joins the first; unrelated contacts never share.
  const tc = await q<{ contact_id: string; case_id: string }>(pg, `SELECT contact_id, case_id FROM triage.contacts`);
  const caseOf = new Map(tc.map((r) => [r.contact_id, r.case_id]));
  const root = (g: GeneratedContact) => (g.kind === 'duplicate-incident' ? g.sameCaseAs! : g.index);
  const casesByRoot = new Map<number, Set<string>>();
  const rootsByCase = new Map<string, Set<number>>();
  const caseFailures: string[] = [];
  for (const g of x.list) {
    const c = caseOf.get(x.contactIds.get(g.index) ?? '');
    if (!c) {
      caseFailures.push(`contact #${g.index} has no case in triage`);
      continue;
    }
    casesByRoot.set(root(g), (casesByRoot.get(root(g)) ?? new Set()).add(c));
    rootsByCase.set(c, (rootsByCase.get(c) ?? new Set()).add(root(g)));
  }
  for (const [r, cs] of casesByRoot) if (cs.size > 1) caseFailures.push(`incident of contact #${r} split over cases ${[...cs].join(', ')}`);
  for (const [c, rs] of rootsByCase)
    if (rs.size > 1) caseFailures.push(`case ${c} holds unrelated incidents of contacts ${[...rs].map((i) => `#${i}`).join(', ')}`);
  const expectedCases = new Set(x.list.map(root)).size;
  const counts = await q<{ s: string; n: number }>(
    pg,
    `SELECT 'triage' s, count(*)::int n FROM triage.cases UNION ALL SELECT 'checks', count(*)::int FROM checks.cases UNION ALL SELECT 'gateway', count(*)::int FROM gateway.cases`,
  );
  for (const { s, n } of counts) if (n !== expectedCases) caseFailures.push(`${s} holds ${n} cases, expected ${expectedCases}`);
  add('triage, checks, gateway: one case per incident', x.list.length, caseFailures);

  // 3. One request per planned agency: the plan triage holds, the requests checks holds and sent.
  const plans = await q<{ case_id: string; agencies: string[] }>(
    pg,
    `SELECT case_id, ARRAY(SELECT DISTINCT p->>'agency' FROM jsonb_array_elements(check_plan) p ORDER BY 1) AS agencies FROM triage.cases`,
  );
  const reqs = await q<{ case_id: string; agency: string; n: number }>(
    pg,
    `SELECT case_id, agency, count(*)::int n FROM checks.requests GROUP BY 1, 2`,
  );
  const sent = countBy(
    (await outboxEnvelopes<{ requestId: string }>(pg, 'checks', { topicLike: 'mash.check.%.requested.v1' })).map((e) => ({
      request_id: e.data.requestId,
    })),
  );
  const reqFailures: string[] = [];
  const reqByCase = new Map<string, string[]>();
  for (const r of reqs) {
    reqByCase.set(r.case_id, [...(reqByCase.get(r.case_id) ?? []), r.agency]);
    if (r.n !== 1) reqFailures.push(`case ${r.case_id}: ${r.n} requests to ${r.agency}`);
  }
  for (const p of plans) {
    const got = (reqByCase.get(p.case_id) ?? []).sort().join(',');
    if (got !== [...p.agencies].sort().join(','))
      reqFailures.push(`case ${p.case_id}: planned ${p.agencies.join(',')}, requested ${got || 'none'}`);
  }
  const requestIds = await q<{ request_id: string }>(pg, `SELECT request_id FROM checks.requests`);
  const sentById = new Map(sent.map((s) => [s.request_id, s.n]));
  for (const r of requestIds)
    if (sentById.get(r.request_id) !== 1)
      reqFailures.push(`request ${r.request_id} written to the outbox ${sentById.get(r.request_id) ?? 0} times`);
  add('checks: one request per planned agency, sent once', requestIds.length, reqFailures);

  // 4. Readiness declared once per case (revision 1 exactly once), and stranding, exactly.
  const cases = await q<{
    case_id: string;
    ready_at: Date | null;
    ready_reason: string | null;
    deadline: Date;
    requests: number;
    replied: number;
    last_reply: Date | null;
  }>(
    pg,
    `SELECT c.case_id, c.ready_at, c.ready_reason, c.deadline, count(r.*)::int AS requests, count(r.replied_at)::int AS replied, max(r.replied_at) AS last_reply
     FROM checks.cases c LEFT JOIN checks.requests r USING (case_id) GROUP BY c.case_id`,
  );
  const readies = countBy(
    (await outboxEnvelopes<{ revision: number }>(pg, 'checks', { topic: TOPICS.caseReady })).map((e) => ({
      case_id: e.key,
      revision: e.data.revision,
    })),
  );
  const readyFailures: string[] = [];
  const firstReadiness = new Map<string, number>();
  for (const r of readies) {
    if (r.n !== 1) readyFailures.push(`case ${r.case_id}: readiness revision ${r.revision} declared ${r.n} times`);
    if (r.revision === 1) firstReadiness.set(r.case_id, r.n);
  }
  const stranded: string[] = [];
  const strandedUntilDeadline: string[] = [];
  for (const c of cases) {
    const withheld = x.bot.get(c.case_id)?.withheld.length ?? 0;
    const allReplied = c.requests > 0 && c.replied === c.requests;
    if (!c.ready_at) {
      const how = x.bot.get(c.case_id);
      if (allReplied)
        stranded.push(
          `${c.case_id} (${c.requests} of ${c.requests} replied, last at ${c.last_reply?.toISOString()}, not ready; replies delivered ${how ? `${how.strategy}: ${how.answered.join(', ')}` : 'by nobody'})`,
        );
      else readyFailures.push(`case ${c.case_id}: not ready (${c.replied} of ${c.requests} replied, deadline ${c.deadline.toISOString()})`);
      continue;
    }
    if (firstReadiness.get(c.case_id) !== 1)
      readyFailures.push(
        `case ${c.case_id}: ready at ${c.ready_at.toISOString()} but its readiness was written ${firstReadiness.get(c.case_id) ?? 0} times`,
      );
    // Ready only at its deadline although every agency had replied well before: stranded until then.
    if (
      allReplied &&
      !withheld &&
      c.ready_reason === 'deadline-reached' &&
      c.last_reply &&
      c.ready_at.getTime() - c.last_reply.getTime() > 5000
    ) {
      strandedUntilDeadline.push(
        `${c.case_id} (last reply ${c.last_reply.toISOString()}, ready only at its deadline ${c.ready_at.toISOString()})`,
      );
    }
  }
  add('checks: readiness declared exactly once per case', cases.length, readyFailures);
  add(
    'checks: no case stranded (every asked agency replied, yet not ready for decision)',
    cases.filter((c) => c.requests > 0 && c.replied === c.requests).length,
    [...stranded, ...strandedUntilDeadline],
  );

  // 5. Every due timer fired, once: fired rows in checks.timers and chase events in the outbox agree.
  const timers = await q<{ request_id: string | null; case_id: string; kind: string; due: number; fired: number; pending_due: number }>(
    pg,
    `SELECT request_id, case_id, kind, count(*)::int AS due, count(fired_at)::int AS fired,
            count(*) FILTER (WHERE fired_at IS NULL AND cancelled_at IS NULL AND fire_at < now() - interval '3 seconds')::int AS pending_due
     FROM checks.timers GROUP BY 1, 2, 3`,
  );
  const chased = countBy(
    (await outboxEnvelopes<{ requestId: string; kind: string }>(pg, 'checks', { topic: TOPICS.checkChased })).map((e) => ({
      request_id: e.data.requestId,
      kind: e.data.kind,
    })),
  );
  const chasedBy = new Map(chased.map((c) => [`${c.request_id}|${c.kind}`, c.n]));
  const timerFailures: string[] = [];
  let timersFired = 0;
  for (const t of timers) {
    timersFired += t.fired;
    if (t.pending_due) timerFailures.push(`case ${t.case_id}: ${t.pending_due} ${t.kind} timer(s) due and never fired`);
    if (t.kind !== 'case-deadline' && (chasedBy.get(`${t.request_id}|${t.kind}`) ?? 0) !== t.fired) {
      timerFailures.push(
        `request ${t.request_id}: ${t.fired} ${t.kind} timer(s) fired, ${chasedBy.get(`${t.request_id}|${t.kind}`) ?? 0} ${t.kind} event(s) written`,
      );
    }
  }
  // Silent agencies: their requests must have been reminded and escalated, and the case made ready at its deadline.
  const silentFailures: string[] = [];
  let silentChecked = 0;
  for (const rec of x.bot.values()) {
    if (!rec.withheld.length) continue;
    silentChecked++;
    const c = cases.find((k) => k.case_id === rec.caseId);
    if (c?.ready_reason !== 'deadline-reached')
      silentFailures.push(`case ${rec.caseId}: ${rec.withheld.join(',')} silent, yet ready by '${c?.ready_reason ?? 'nothing'}'`);
    const [row] = await q<{ escalations: number; reminders: number }>(
      pg,
      `SELECT count(*) FILTER (WHERE t.kind = 'escalation' AND t.fired_at IS NOT NULL)::int escalations, count(*) FILTER (WHERE t.kind = 'reminder' AND t.fired_at IS NOT NULL)::int reminders
       FROM checks.timers t JOIN checks.requests r USING (request_id) WHERE r.case_id = $1 AND r.agency = ANY($2)`,
      [rec.caseId, rec.withheld],
    );
    if (row.escalations !== rec.withheld.length)
      silentFailures.push(`case ${rec.caseId}: ${row.escalations} escalations fired for ${rec.withheld.length} silent agencies`);
  }
  // A run in which no timer fired proves nothing about timers.
  if (!silentChecked || !timersFired)
    silentFailures.push(`nothing exercised the timers: ${silentChecked} cases with a silent agency, ${timersFired} timers fired`);
  add('checks: every due timer fired exactly once (reminders, escalations, case deadlines)', timersFired, [
    ...timerFailures,
    ...silentFailures,
  ]);

  // 6. One decision per case, and one outcome notice (and one acknowledgement) per referrer.
  const decisions = await q<{ case_id: string; n: number }>(
    pg,
    `SELECT key AS case_id, count(*)::int n FROM gateway.outbox WHERE topic = $1 GROUP BY 1`,
    [TOPICS.decisionRecorded],
  );
  add(
    'gateway: one decision per case',
    decisions.length,
    decisions.filter((d) => d.n !== 1).map((d) => `case ${d.case_id}: ${d.n} decisions recorded`),
  );
  const decided = new Set((await q<{ case_id: string }>(pg, `SELECT case_id FROM gateway.decisions`)).map((r) => r.case_id));
  const notices = await q<{ contact_id: string; kind: string; n: number }>(
    pg,
    `SELECT contact_id, kind, count(*)::int n FROM notifier.notices WHERE contact_id IS NOT NULL GROUP BY 1, 2`,
  );
  const noticeBy = new Map(notices.map((n) => [`${n.contact_id}|${n.kind}`, n.n]));
  const outcomeFailures: string[] = [];
  const ackFailures: string[] = [];
  let referrers = 0;
  for (const g of x.list) {
    const id = x.contactIds.get(g.index)!;
    const c = caseOf.get(id);
    if (!c || !decided.has(c)) {
      outcomeFailures.push(`contact #${g.index} (${g.kind}): its case ${c ?? '-'} was never decided`);
      continue;
    }
    referrers++;
    const outcome = noticeBy.get(`${id}|outcome`) ?? 0;
    if (outcome !== 1)
      outcomeFailures.push(
        `contact #${g.index} (${g.kind}${g.kind === 'duplicate-incident' ? `, joined the case of #${g.sameCaseAs}` : ''}): ${outcome} outcome notices`,
      );
    const ack = noticeBy.get(`${id}|acknowledgement`) ?? 0;
    if (ack > 1) ackFailures.push(`contact #${g.index}: ${ack} acknowledgements`);
  }
  add('notifier: one outcome notice per referrer', referrers, outcomeFailures);
  add('notifier: never two acknowledgements to one referrer', referrers, ackFailures);

  // 7. What each referrer sees: its own contact's journey reached the decision and the notice.
  const journeys = await q<{ contact_id: string; decided_at: Date | null; stages: string[] }>(
    pg,
    `SELECT contact_id, decided_at, ARRAY(SELECT h->>'stage' FROM jsonb_array_elements(history) h) AS stages FROM gateway.contact_status`,
  );
  const journeyOf = new Map(journeys.map((j) => [j.contact_id, j]));
  const journeyFailures: string[] = [];
  for (const g of x.list) {
    const j = journeyOf.get(x.contactIds.get(g.index) ?? '');
    const told = g.contact.referrer.channel.kind === 'none' ? 'no-referrer-channel' : 'referrer-informed';
    const what = `contact #${g.index} (${g.kind}${g.kind === 'duplicate-incident' ? `, joined the case of #${g.sameCaseAs}` : ''})`;
    if (!j) journeyFailures.push(`${what}: no status at the gateway`);
    else {
      const missing = [...(j.stages.includes('decided') && j.decided_at ? [] : ['decided']), ...(j.stages.includes(told) ? [] : [told])];
      if (missing.length) journeyFailures.push(`${what}: its status shows ${j.stages.join(' > ')}; never ${missing.join(' nor ')}`);
    }
  }
  add("gateway: every referrer's status reaches the decision and the notice", x.list.length, journeyFailures);

  // 8. Nothing left behind: every outbox row published.
  const unpublished = await q<{ s: string; n: number }>(
    pg,
    `SELECT 'gateway' s, count(*)::int n FROM gateway.outbox WHERE published_at IS NULL UNION ALL SELECT 'triage', count(*)::int FROM triage.outbox WHERE published_at IS NULL
     UNION ALL SELECT 'checks', count(*)::int FROM checks.outbox WHERE published_at IS NULL UNION ALL SELECT 'notifier', count(*)::int FROM notifier.outbox WHERE published_at IS NULL`,
  );
  add(
    'every service: outbox fully relayed',
    4,
    unpublished.filter((u) => u.n > 0).map((u) => `${u.s}: ${u.n} rows never published`),
  );
  return results;
}

/** Counts of effects that a replay of every message must leave unchanged. */
/**
 * What handling a message can leave behind, counted per table. Two writers run on timers, not on
 * messages, and are left out: each service's audit head (published whenever its disclosure chain
 * moved, every MASH_AUDIT_HEAD_INTERVAL_MS) and retention runs. The disclosures themselves are
 * counted, so a replayed message that disclosed something again is still caught.
 */
export async function effectCounts(pg: Client): Promise<Record<string, number>> {
  const outbox = (s: string) => `SELECT '${s}.outbox' k, count(*)::int n FROM ${s}.outbox WHERE topic <> '${TOPICS.auditHead}'`;
  const disclosed = (s: string) =>
    `SELECT '${s}.disclosure_audit' k, count(*)::int n FROM ${s}.disclosure_audit WHERE action <> 'retention-run'`;
  const rows = await q<{ k: string; n: number }>(
    pg,
    [
      `SELECT 'gateway.contacts' k, count(*)::int n FROM gateway.contacts`,
      `SELECT 'triage.cases', count(*)::int FROM triage.cases`,
      `SELECT 'triage.contacts', count(*)::int FROM triage.contacts`,
      `SELECT 'checks.requests', count(*)::int FROM checks.requests`,
      `SELECT 'checks.replies', count(*)::int FROM checks.replies`,
      `SELECT 'checks.timers', count(*)::int FROM checks.timers`,
      `SELECT 'notifier.notices', count(*)::int FROM notifier.notices`,
      ...['gateway', 'triage', 'checks', 'notifier'].flatMap((s) => [outbox(s), disclosed(s)]),
    ].join(' UNION ALL '),
  );
  return Object.fromEntries(rows.map((r) => [r.k, r.n]));
}

/**
 * Plants one breach for each of the checks that matter most, inside a transaction that is rolled
 * back, and runs the checks again: each must name the breach it was given. A check that cannot
 * fail proves nothing.
 */
export async function selfTest(pg: Client, x: Expectations): Promise<{ planted: string; check: string; caught: boolean }[]> {
  const planted: { planted: string; check: string; needle: string }[] = [];
  await pg.query('BEGIN');
  try {
    const [replied] = await q<{ case_id: string }>(
      pg,
      `SELECT c.case_id FROM checks.cases c JOIN checks.requests r USING (case_id) WHERE c.ready_reason = 'all-replied' GROUP BY c.case_id HAVING count(r.replied_at) = count(*) LIMIT 1`,
    );
    if (replied) {
      await pg.query(`UPDATE checks.cases SET ready_at = NULL, ready_reason = NULL WHERE case_id = $1`, [replied.case_id]);
      planted.push({
        planted: `case ${replied.case_id} every agency replied, readiness removed`,
        check: 'checks: no case stranded (every asked agency replied, yet not ready for decision)',
        needle: replied.case_id,
      });
    }
    const [ready] = await q<{ key: string }>(pg, `SELECT key FROM checks.outbox WHERE topic = $1 AND key <> $2 LIMIT 1`, [
      TOPICS.caseReady,
      replied?.case_id ?? '',
    ]);
    if (ready) {
      const first = (await outboxEnvelopes<{ revision: number }>(pg, 'checks', { topic: TOPICS.caseReady, key: ready.key })).find(
        (e) => e.data.revision === 1,
      );
      await pg.query(
        `INSERT INTO checks.outbox (id, topic, key, value, case_id, published_at) SELECT id || '-again', topic, key, value, case_id, published_at FROM checks.outbox WHERE id = $1`,
        [first?.id ?? ''],
      );
      planted.push({
        planted: `case ${ready.key} readiness written twice`,
        check: 'checks: readiness declared exactly once per case',
        needle: ready.key,
      });
    }
    const [chaseEnv] = await outboxEnvelopes<{ requestId: string }>(pg, 'checks', { topic: TOPICS.checkChased });
    const chase = chaseEnv && { request_id: chaseEnv.data.requestId };
    if (chase) {
      await pg.query(
        `INSERT INTO checks.outbox (id, topic, key, value, case_id, published_at) SELECT id || '-again', topic, key, value, case_id, published_at FROM checks.outbox WHERE id = $1`,
        [chaseEnv.id],
      );
      planted.push({
        planted: `request ${chase.request_id} chased twice`,
        check: 'checks: every due timer fired exactly once (reminders, escalations, case deadlines)',
        needle: chase.request_id,
      });
    }
    const [notice] = await q<{ notice_id: string; contact_id: string }>(
      pg,
      `SELECT notice_id, contact_id FROM notifier.notices WHERE kind = 'outcome' LIMIT 1`,
    );
    if (notice) {
      await pg.query(`UPDATE notifier.notices SET kind = 'closing' WHERE notice_id = $1`, [notice.notice_id]);
      const g = x.list.find((c) => x.contactIds.get(c.index) === notice.contact_id);
      planted.push({
        planted: `contact ${notice.contact_id} outcome notice removed`,
        check: 'notifier: one outcome notice per referrer',
        needle: `contact #${g?.index} `,
      });
    }
    // Two contacts of different cases, chosen as such: two contacts picked at random are sometimes
    // duplicates of one incident, and moving one into its own case plants nothing (CI saw it).
    const [moved] = await q<{ contact_id: string; case_id: string }>(
      pg,
      `SELECT a.contact_id, b.case_id FROM triage.contacts a JOIN triage.contacts b ON b.case_id <> a.case_id ORDER BY a.contact_id, b.contact_id LIMIT 1`,
    );
    if (moved) {
      await pg.query(`UPDATE triage.contacts SET case_id = $2 WHERE contact_id = $1`, [moved.contact_id, moved.case_id]);
      planted.push({
        planted: `contact ${moved.contact_id} moved into case ${moved.case_id}`,
        check: 'triage, checks, gateway: one case per incident',
        needle: moved.case_id,
      });
    }
    const results = await verify(pg, x);
    return planted.map((p) => ({
      planted: p.planted,
      check: p.check,
      caught: !!results.find((r) => r.name === p.check)?.failures.some((f) => f.includes(p.needle)),
    }));
  } finally {
    await pg.query('ROLLBACK');
  }
}

/**
 * Every message on a topic that a service consumes (a topic its inbox holds any message of) must
 * be in that service's inbox: the transport remembers each message it handled in the handler's
 * transaction, so a message missing there had its offset committed without being handled. The
 * requests must likewise all have reached the reply bot (`seen`). Parked messages are counted by
 * their own check and left out here.
 */
export async function unhandledMessages(
  pg: Client,
  records: readonly RawRecord[],
  services: readonly string[],
  seen: (requestId: string) => boolean,
): Promise<CheckResult> {
  const failures: string[] = [];
  let checked = 0;
  for (const service of services) {
    const rows = await q<{ topic: string; message_id: string }>(
      pg,
      `SELECT topic, message_id FROM "${service}".inbox WHERE consumer = $1`,
      [service],
    );
    const topics = new Set(rows.map((r) => r.topic));
    const handled = new Set(rows.map((r) => `${r.topic}|${r.message_id}`));
    for (const r of records) {
      if (!topics.has(r.topic)) continue;
      checked++;
      const id = (JSON.parse(r.value) as { id: string }).id;
      if (!handled.has(`${r.topic}|${id}`))
        failures.push(`${service} never handled ${r.topic} message ${id} (key ${r.key}), though its group's lag was 0`);
    }
  }
  const requested = new Set(CHECK_AGENCIES.map((a) => checkRequestedTopic(a) as string));
  for (const r of records) {
    if (!requested.has(r.topic)) continue;
    checked++;
    const requestId = (JSON.parse(r.value) as { data: { requestId: string } }).data.requestId;
    if (!seen(requestId)) failures.push(`the reply bot never received request ${requestId} on ${r.topic} (key ${r.key})`);
  }
  return { name: 'inboxes', checked, failures };
}
