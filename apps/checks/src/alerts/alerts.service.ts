import { Injectable } from '@nestjs/common';
import { CheckAgency, CheckChased, DeadLetter, isCheckAgency, TOPICS } from '@mash/contracts';
import { log, MessageContext } from '@mash/messaging';
import { CasesRepository } from '../cases/cases.repository';
import { checksMetrics } from '../metrics';
import { RepliesRepository } from '../picture/replies.repository';
import { RequestsRepository } from '../requests/requests.repository';

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
  constructor(
    private readonly cases: CasesRepository = new CasesRepository(),
    private readonly requests: RequestsRepository = new RequestsRepository(),
    private readonly replies: RepliesRepository = new RepliesRepository(),
  ) {}

  async fromDeadLetter(letter: DeadLetter, ctx: MessageContext): Promise<void> {
    const agency = replyTopicAgency(letter.originalTopic);
    if (!agency) return;
    const m = ctx.manager;
    const caseId = letter.key ?? undefined;
    // The case row first, as every change to a case: a revised plan asking the agency again cannot
    // slip in between choosing the request and alerting on it.
    const c = caseId ? await this.cases.lock(m, caseId) : undefined;
    const req = c ? await this.requests.latest(m, c.caseId, agency) : undefined;
    if (!req) {
      // No case of ours to alert on (a reply keyed wrongly, or to a case this hub never asked about).
      checksMetrics.malformedReplies.inc({ agency, case: 'unknown' });
      log('warn', 'refused reply for no known request', { agency, key: caseId ?? null, offset: letter.offset ?? null });
      return;
    }
    const reason = refusalReason(letter);
    const raised = await this.replies.raiseAlert(m, {
      caseId: req.caseId,
      requestId: req.requestId,
      agency,
      reason,
      topic: letter.originalTopic,
      partition: letter.partition ?? -1,
      offset: letter.offset ?? letter.failedAt,
    });
    if (!raised) return; // the same reply parked twice: one alert
    const alert: CheckChased = {
      caseId: req.caseId,
      requestId: req.requestId,
      agency,
      kind: 'malformed-reply',
      at: (await this.cases.present(m, req.caseId)).toISOString(),
      dueAt: req.dueAt.toISOString(),
      reason,
    };
    await ctx.publish({ topic: TOPICS.checkChased, key: req.caseId, data: alert, correlationId: req.requestId });
    checksMetrics.malformedReplies.inc({ agency, case: 'known' });
    log('warn', 'agency reply refused; agency still counts as not replied', { caseId: req.caseId, agency });
  }
}
