import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { TOPICS } from '@mash/contracts';
import { kafkaCredentialsFromEnv, outboxEnvelopes } from '@mash/messaging';

/**
 * Where each stuck contact stopped on its way to a rating, and what the services said about it:
 * CI keeps only the first lines of a failure, so a stuck contact must explain itself there.
 * - per contact: the gateway's contact.received row (sent or not), triage's case for it, triage's
 *   case.rated row (sent or not), whether the gateway's inbox has that rating;
 * - consumer groups of the run with lag left (group, topic/partition, committed → end);
 * - per service log, how many error lines and kafkajs crashes, and the first distinct ones.
 */
export async function stuckReport(db: Client, env: Record<string, string>, runId: string, contactIds: string[]): Promise<string[]> {
  const lines: string[] = [];
  for (const contactId of contactIds) {
    const parts: string[] = [];
    const received = (
      await db.query(`SELECT published_at FROM gateway.outbox WHERE topic = $1 AND key = $2`, [TOPICS.contactReceived, contactId])
    ).rows as { published_at: Date | null }[];
    parts.push(received.length === 0 ? 'no contact.received row' : `contact.received ${received[0]!.published_at ? 'sent' : 'UNSENT'}`);
    const envelopes = await outboxEnvelopes(db, 'gateway', { topic: TOPICS.contactReceived, key: contactId });
    const taken = (await db.query(`SELECT count(*)::int AS n FROM triage.inbox WHERE message_id = ANY($1)`, [envelopes.map((e) => e.id)]))
      .rows[0].n as number;
    parts.push(`triage inbox has ${taken}`);
    const link = (await db.query(`SELECT case_id FROM triage.contacts WHERE contact_id = $1`, [contactId])).rows as { case_id: string }[];
    if (link.length === 0) {
      parts.push('no triage case');
    } else {
      const caseId = link[0]!.case_id;
      const rated = await outboxEnvelopes(db, 'triage', { topic: TOPICS.caseRated, key: caseId });
      const sent = (
        await db.query(`SELECT count(*)::int AS n FROM triage.outbox WHERE topic = $1 AND key = $2 AND published_at IS NOT NULL`, [
          TOPICS.caseRated,
          caseId,
        ])
      ).rows[0].n as number;
      parts.push(`case ${caseId}, case.rated rows ${rated.length} (${sent} sent)`);
      const seen = (await db.query(`SELECT count(*)::int AS n FROM gateway.inbox WHERE message_id = ANY($1)`, [rated.map((e) => e.id)]))
        .rows[0].n as number;
      parts.push(`gateway inbox has ${seen} of them`);
    }
    lines.push(`${contactId}: ${parts.join('; ')}`);
  }
  lines.push(...(await lagLeft(env).catch((err: Error) => [`lag: could not read (${err.message})`])));
  lines.push(...serviceLogErrors(join(__dirname, '..', '..', '.run', 'test-logs', runId)));
  return lines;
}

/**
 * Where one contact stopped on its way to ready for decision, for a spec that waited on it in vain:
 * what stuckReport says up to the rating, then the gateway's view of the contact (its stage, steps
 * and case), checks' case (opened, ready, deadline) and each request (requested, replied),
 * checks' outbox for the case by topic (sent or not), and whether the gateway took the case.ready
 * events. CI keeps only the first lines of a failure, so this goes into the error itself.
 */
export async function caseStuckReport(env: Record<string, string>, runId: string, contactId: string): Promise<string[]> {
  const db = new Client({ connectionString: env.DATABASE_URL });
  await db.connect();
  try {
    return await reportCase(db, env, runId, contactId);
  } finally {
    await db.end();
  }
}

async function reportCase(db: Client, env: Record<string, string>, runId: string, contactId: string): Promise<string[]> {
  const lines: string[] = [];
  const status = (await db.query(`SELECT stage, case_id, ready_at, history FROM gateway.contact_status WHERE contact_id = $1`, [contactId]))
    .rows as { stage: string; case_id: string | null; ready_at: Date | null; history: { stage: string }[] }[];
  lines.push(
    status.length === 0
      ? `gateway: no status for ${contactId}`
      : `gateway: stage ${status[0]!.stage}, case ${status[0]!.case_id ?? 'none'}, ready_at ${status[0]!.ready_at?.toISOString() ?? 'none'}, steps ${status[0]!.history.map((h) => h.stage).join(' > ')}`,
  );
  const caseId =
    status[0]?.case_id ??
    ((await db.query(`SELECT case_id FROM triage.contacts WHERE contact_id = $1`, [contactId])).rows as { case_id: string }[])[0]?.case_id;
  if (caseId) {
    const checksCase = (await db.query(`SELECT opened_at, ready_at, ready_reason, deadline FROM checks.cases WHERE case_id = $1`, [caseId]))
      .rows as { opened_at: Date; ready_at: Date | null; ready_reason: string | null; deadline: Date }[];
    const c = checksCase[0];
    lines.push(
      c
        ? `checks: case opened ${c.opened_at.toISOString()}, ready ${c.ready_at ? `${c.ready_at.toISOString()} (${c.ready_reason})` : 'no'}, deadline ${c.deadline.toISOString()}`
        : `checks: no case ${caseId}`,
    );
    const requests = (
      await db.query(`SELECT agency, requested_at, replied_at FROM checks.requests WHERE case_id = $1 ORDER BY agency`, [caseId])
    ).rows as { agency: string; requested_at: Date; replied_at: Date | null }[];
    lines.push(
      `checks: requests ${requests.map((r) => `${r.agency} ${r.replied_at ? `replied ${r.replied_at.toISOString()}` : 'NO REPLY'}`).join(', ') || 'none'}`,
    );
    const outbox = (
      await db.query(
        `SELECT topic, count(*)::int AS n, count(published_at)::int AS sent FROM checks.outbox WHERE key = $1 OR case_id = $1 GROUP BY topic ORDER BY topic`,
        [caseId],
      )
    ).rows as { topic: string; n: number; sent: number }[];
    lines.push(`checks outbox: ${outbox.map((o) => `${o.topic} ${o.sent}/${o.n} sent`).join(', ') || 'nothing for the case'}`);
    const ready = await outboxEnvelopes(db, 'checks', { topic: TOPICS.caseReady, key: caseId });
    const seen = (await db.query(`SELECT count(*)::int AS n FROM gateway.inbox WHERE message_id = ANY($1)`, [ready.map((e) => e.id)]))
      .rows[0].n as number;
    lines.push(`gateway inbox has ${seen} of ${ready.length} case.ready`);
  }
  for (const schema of ['gateway', 'triage', 'checks', 'notifier']) {
    const set = (
      await db
        .query(`SELECT topic, attempts, reason FROM "${schema}".deferred_messages ORDER BY deferred_at LIMIT 5`)
        .catch(() => ({ rows: [] }))
    ).rows as { topic: string; attempts: number; reason: string }[];
    if (set.length)
      lines.push(`${schema} set aside: ${set.map((d) => `${d.topic} x${d.attempts} (${d.reason.slice(0, 120)})`).join(' | ')}`);
  }
  return [...lines, ...(await stuckReport(db, env, runId, [contactId]))];
}

/** Runs `wait`; when it fails, the error carries `report`'s lines (a report that fails says so instead). */
export async function explained<T>(wait: Promise<T>, report: () => Promise<string[]>): Promise<T> {
  try {
    return await wait;
  } catch (err) {
    const lines = await report().catch((e: Error) => [`(no report: ${e.message})`]);
    throw new Error([(err as Error).message, ...lines].join('\n'));
  }
}

async function lagLeft(env: Record<string, string>): Promise<string[]> {
  const sasl = kafkaCredentialsFromEnv(env);
  const kafka = new Kafka({
    clientId: 'stuck-report',
    brokers: env.KAFKA_BROKERS!.split(','),
    logLevel: logLevel.NOTHING,
    ...(sasl ? { sasl } : {}),
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const prefix = env.MASH_TOPIC_PREFIX ?? '';
    const groups = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((g) => g.startsWith(prefix) && !g.includes('test-watcher') && !g.includes('log-reader'));
    const out: string[] = [];
    const read = new Set<string>();
    for (const groupId of groups) {
      for (const t of await admin.fetchOffsets({ groupId })) {
        if (t.partitions.some((p) => p.offset !== '-1')) read.add(t.topic);
        const ends = await admin.fetchTopicOffsets(t.topic);
        for (const p of t.partitions) {
          const end = ends.find((e) => e.partition === p.partition)?.offset ?? '0';
          const committed = p.offset === '-1' ? '0' : p.offset;
          if (BigInt(end) > BigInt(committed))
            out.push(
              `lag: ${groupId.slice(prefix.length)} ${t.topic.slice(prefix.length)}/${p.partition} committed ${committed} of ${end}`,
            );
        }
      }
    }
    // A group that never committed (a connector that never joined) has no lag to show: name what it left unread.
    const unread: string[] = [];
    for (const topic of (await admin.listTopics()).filter((t) => t.startsWith(prefix) && !read.has(t))) {
      const held = (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(BigInt(p.high) - BigInt(p.low)), 0);
      if (held > 0) unread.push(`${topic.slice(prefix.length)} (${held})`);
    }
    if (unread.length) out.push(`unread by any group of the run: ${unread.join(', ')}`);
    return out.length ? out : ['lag: none'];
  } finally {
    await admin.disconnect();
  }
}

function serviceLogErrors(dir: string): string[] {
  const out: string[] = [];
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.log'));
  } catch {
    return [`logs: none at ${dir}`];
  }
  for (const f of files) {
    // A broker killed on purpose refuses connections for a while: that is expected, not the story.
    const bad = readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .filter(
        (l) => /"level":"(error|fatal)"|Crash:|Restarting the consumer/.test(l) && !/ECONNREFUSED|seed broker|Connection error/.test(l),
      )
      .map(shortLine);
    if (bad.length === 0) continue;
    out.push(`log ${f}: ${bad.length} error lines; ${[...new Set(bad)].slice(0, 4).join(' | ')}`);
  }
  return out;
}

/** A log line as `msg: detail` (or its first characters when it is not JSON). */
function shortLine(line: string): string {
  try {
    const entry = JSON.parse(line) as { msg?: string; detail?: string; error?: string };
    return `${entry.msg ?? ''}: ${entry.detail ?? entry.error ?? ''}`.slice(0, 200);
  } catch {
    return line.slice(0, 200);
  }
}

/**
 * Fails a cluster run whose contacts did not all reach their referrer's notice, with where each
 * stuck contact stopped first: CI keeps only the first lines of a failure.
 */
export async function failOnStuck(
  db: Client,
  env: Record<string, string>,
  runId: string,
  stuck: { contactId: string; stage: string }[],
  events: string[],
): Promise<void> {
  if (stuck.length === 0) return;
  const where = await stuckReport(
    db,
    env,
    runId,
    stuck.map((s) => s.contactId),
  );
  throw new Error([`${stuck.length} contacts stuck: ${stuck.map((s) => s.stage).join(', ')}`, ...where, ...events].join('\n'));
}
