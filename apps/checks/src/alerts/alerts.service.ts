import { Injectable } from '@nestjs/common';
import { CheckAgency, CheckChased, DeadLetter, isCheckAgency, TOPICS } from '@mash/contracts';
import { log, MessageContext } from '@mash/messaging';
import { checksMetrics } from '../metrics';

const REPLY_TOPIC = /^mash\.check\.([a-z-]+)\.replied\.v1$/;

/** The agency whose reply topic a letter came from, or undefined for any other topic. */
export function replyTopicAgency(topic: string): CheckAgency | undefined {
  const agency = REPLY_TOPIC.exec(topic)?.[1];
  return agency && isCheckAgency(agency) ? agency : undefined;
}

/**
 * Why a reply was refused, for people: the rule and where it broke, never a value from the reply
 * (which may carry case content).
 */
export function refusalReason(letter: Pick<DeadLetter, 'reason' | 'errors'>): string {
  const rules = (letter.errors ?? [])
    .map((e) => e as { path?: unknown; rule?: unknown })
    .filter((e) => typeof e.path === 'string' && typeof e.rule === 'string')
    .map((e) => `${e.path} ${e.rule}`);
  const text = rules.length ? `${letter.reason}: ${rules.join('; ')}` : letter.reason;
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
}

/**
 * Notices replies that never reached checks: the port parks a reply that breaks its contract in
 * the dead-letter topic before any handler sees it. The agency stays "not replied" (so it is still
 * chased and listed as missing), and the MASH is told at once that it answered with something
 * unusable, so someone can ring the agency instead of waiting for the escalation.
 */
@Injectable()
export class AlertsService {
  async fromDeadLetter(letter: DeadLetter, ctx: MessageContext): Promise<void> {
    const agency = replyTopicAgency(letter.originalTopic);
    if (!agency) return;
    const m = ctx.manager;
    const caseId = letter.key ?? undefined;
    const [req]: { request_id: string; case_id: string; due_at: Date }[] = caseId
      ? await m.query(`SELECT request_id, case_id, due_at FROM checks.requests WHERE case_id = $1 AND agency = $2 ORDER BY revision DESC LIMIT 1`, [caseId, agency])
      : [];
    if (!req) {
      // No case of ours to alert on (a reply keyed wrongly, or to a case this hub never asked about).
      checksMetrics.malformedReplies.inc({ agency, case: 'unknown' });
      log('warn', 'refused reply for no known request', { agency, key: caseId ?? null, offset: letter.offset ?? null });
      return;
    }
    const reason = refusalReason(letter);
    const raised: unknown[] = await m.query(
      `INSERT INTO checks.alerts (case_id, request_id, agency, kind, reason, original_topic, original_partition, original_offset)
       VALUES ($1, $2, $3, 'malformed-reply', $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id`,
      [req.case_id, req.request_id, agency, reason, letter.originalTopic, letter.partition ?? -1, letter.offset ?? letter.failedAt],
    );
    if (raised.length === 0) return; // the same reply parked twice: one alert
    const alert: CheckChased = {
      caseId: req.case_id,
      requestId: req.request_id,
      agency,
      kind: 'malformed-reply',
      at: new Date().toISOString(),
      dueAt: new Date(req.due_at).toISOString(),
      reason,
    };
    await ctx.publish({ topic: TOPICS.checkChased, key: req.case_id, data: alert, correlationId: req.request_id });
    checksMetrics.malformedReplies.inc({ agency, case: 'known' });
    log('warn', 'agency reply refused; agency still counts as not replied', { caseId: req.case_id, agency });
  }
}
