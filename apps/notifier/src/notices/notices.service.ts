import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { Contact, ContactReceived, DecisionRecorded, NoticeChannel, NoticeDelivered, NoticeIssued, noticeIssuedTopic, SubmittingAgency, TOPICS } from '@mash/contracts';
import { log, MessageContext, Outbox } from '@mash/messaging';

/** The same decision and recipient always give the same notice id, so a redelivered decision sends nothing new. */
export function noticeIdFor(...parts: string[]): string {
  return `NT-${createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 24)}`;
}

const OUTCOME_TEXT: Record<string, string> = {
  nfa: 'No further action by children\'s social care: the threshold for social care involvement was not met.',
  advice: 'Advice and information have been given.',
  signposting: 'The family has been signposted to universal services.',
  'early-help': 'The case has been stepped across to early help.',
  'social-care-assessment': 'The case has been stepped up to a children\'s social care assessment.',
  'strategy-discussion': 'A strategy discussion has been convened (child protection, section 47).',
  'marac-referral': 'A referral has been made to MARAC.',
  transfer: 'The case has been transferred to another area\'s MASH.',
  'information-provided': 'Information has been provided to the agency that needs it.',
};

@Injectable()
export class NoticesService {
  constructor(private readonly outbox: Outbox) {}

  async rememberReferrer(e: ContactReceived, ctx: MessageContext): Promise<void> {
    await ctx.manager.query(
      `INSERT INTO notifier.referrers (contact_id, source_agency, agency_reference, referrer, received_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [e.contactId, e.sourceAgency, e.contact.agencyReference, JSON.stringify(e.contact.referrer), e.receivedAt],
    );
  }

  async decided(d: DecisionRecorded, ctx: MessageContext): Promise<void> {
    const referrers: { contact_id: string; source_agency: SubmittingAgency; agency_reference: string; referrer: Contact['referrer'] }[] = await ctx.manager.query(
      `SELECT contact_id, source_agency, agency_reference, referrer FROM notifier.referrers WHERE case_id = $1`,
      [d.caseId],
    );
    for (const r of referrers) {
      const notice: NoticeIssued = {
        noticeId: noticeIdFor(d.decisionId, r.contact_id, 'outcome'),
        caseId: d.caseId,
        contactId: r.contact_id,
        agencyReference: r.agency_reference,
        kind: 'outcome',
        issuedAt: new Date().toISOString(),
        recipient: r.referrer.organisation ?? r.source_agency,
        outcomes: d.outcomes,
        decidedBy: d.decisionMaker,
        responsibleTeam: d.responsibleTeam,
        text: [
          `Outcome of your contact ${r.agency_reference}:`,
          ...d.outcomes.map((o) => OUTCOME_TEXT[o]),
          `Decided by ${d.decisionMaker.name}, ${d.decisionMaker.role}.`,
          `Responsible team: ${d.responsibleTeam.name}, ${d.responsibleTeam.inHours}${d.responsibleTeam.outOfHours ? `; out of hours ${d.responsibleTeam.outOfHours}` : ''}.`,
        ].join('\n'),
      };
      await this.issue(ctx.manager, notice, r.referrer.channel, r.source_agency);
    }
  }

  private async issue(m: EntityManager, notice: NoticeIssued, channel: NoticeChannel, agency: SubmittingAgency): Promise<void> {
    const inserted: unknown[] = await m.query(
      `INSERT INTO notifier.notices (notice_id, case_id, contact_id, kind, recipient, channel, body) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING notice_id`,
      [notice.noticeId, notice.caseId, notice.contactId ?? null, notice.kind, notice.recipient, JSON.stringify(channel), JSON.stringify(notice)],
    );
    if (inserted.length === 0) return;
    if (channel.kind === 'topic') {
      await this.outbox.add(m, { topic: noticeIssuedTopic(agency), key: notice.caseId, data: notice });
      await this.receipt(m, notice, 'topic', 'delivered', 1);
    } else if (channel.kind === 'none') {
      await this.receipt(m, notice, 'none', 'no-channel', 0, `referrer is ${channel.reason}`);
    }
    // webhook and email notices stay pending for the delivery worker.
  }

  private async receipt(m: EntityManager, notice: NoticeIssued, channel: NoticeDelivered['channel'], status: NoticeDelivered['status'], attempts: number, detail?: string) {
    const at = new Date().toISOString();
    await m.query(`UPDATE notifier.notices SET status = $2, attempts = $3, delivered_at = $4 WHERE notice_id = $1`, [notice.noticeId, status, attempts, status === 'delivered' ? at : null]);
    const receipt: NoticeDelivered = { noticeId: notice.noticeId, caseId: notice.caseId, contactId: notice.contactId, kind: notice.kind, recipient: notice.recipient, channel, status, attempts, at, ...(detail ? { detail } : {}) };
    await this.outbox.add(m, { topic: TOPICS.noticeDelivered, key: notice.caseId, data: receipt });
    log('info', 'notice receipt', { noticeId: notice.noticeId, caseId: notice.caseId, kind: notice.kind, channel, status });
  }
}
