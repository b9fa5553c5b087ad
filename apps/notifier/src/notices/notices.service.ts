import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AgencyId, CaseRated, CaseReady, Contact, ContactReceived, DecisionRecorded } from '@mash/contracts';
import { acknowledgementNotice, closingNotice, londonDateTime, outcomeNotice } from '../outcomeNotice';
import { NoticeSender, OwedNotice } from '../sending/noticeSender';
import { NoticesRepository } from './notices.repository';
import { now as hubNow } from '@mash/platform/clock';

/**
 * Works out which notices a case owes and issues the missing ones. Every handler records what its
 * event says and then asks this one question, because the events meet here in no fixed order:
 * contact and rating come on different topics and partitions, a late reply's agency may join
 * after an urgent decision, and a redelivered event must change nothing. Notice ids are
 * deterministic, so asking twice issues nothing twice.
 *
 * ACKNOWLEDGEMENT is sent once the start-of-checks rating is known, not on receipt of the contact:
 * only then does the hub know the case reference and the decision deadline, so the referrer is
 * told a real timescale ("by 24 November, 07:02") instead of a generic promise. Triage rates
 * within seconds of receipt, well inside the one-working-day target (docs/formats.md); the rating
 * itself is never named, it is the hub's internal grade.
 */
@Injectable()
export class NoticesService {
  constructor(
    private readonly sender: NoticeSender,
    private readonly repo: NoticesRepository,
  ) {}

  async contactReceived(e: ContactReceived, m: EntityManager): Promise<void> {
    await this.repo.keepReferrer(
      m,
      {
        contactId: e.contactId,
        sourceAgency: e.sourceAgency,
        agencyReference: e.contact.agencyReference,
        referrer: e.contact.referrer,
        receivedAt: e.receivedAt,
      },
      [['contact', e.contactId]],
    );
    const caseId = await this.repo.lockCaseOf(m, e.contactId);
    if (caseId) await this.reconcile(m, caseId);
  }

  async caseRated(e: CaseRated, m: EntityManager): Promise<void> {
    await this.repo.attach(m, { contactId: e.contactId, caseId: e.caseId, deadline: e.deadline, ratedAt: e.ratedAt, stage: e.stage }, [
      ['contact', e.contactId],
      ['case', e.caseId],
    ]);
    await this.reconcile(m, e.caseId);
  }

  async caseReady(e: CaseReady, m: EntityManager): Promise<void> {
    // Agencies that replied contributed; the missing ones did not and get no closing notice.
    await this.repo.addContributors(m, e.caseId, e.replied, [['case', e.caseId]]);
    await this.reconcile(m, e.caseId);
  }

  async decisionRecorded(d: DecisionRecorded, publishedAt: string, m: EntityManager): Promise<void> {
    await this.repo.keepDecision(m, d, publishedAt, [['case', d.caseId]]);
    await this.reconcile(m, d.caseId);
  }

  /**
   * Issues every notice the case owes that does not exist yet. The caller holds the case lock, so
   * the ids read here are every notice issued before; those are not sealed and written again only
   * to be refused by their key (each event of a case reconciles it, about four per contact). What
   * is owed is written in one go: a read and a few statements per event, not a few per notice.
   */
  async reconcile(m: EntityManager, caseId: string, now = hubNow()): Promise<void> {
    const { referrers, decisions, contributors, noticeIds } = await this.repo.caseOnRecord(m, caseId);
    const owed: OwedNotice[] = [];
    for (const r of referrers) {
      const received: ContactReceived = {
        contactId: r.contactId,
        receivedAt: r.receivedAt.toISOString(),
        sourceAgency: r.sourceAgency,
        // The notifier keeps no more of the contact than a notice may use (see contactReceived).
        contact: { agencyReference: r.agencyReference, referrer: r.referrer } as Contact,
      };
      const timescale = r.deadline ? `a decision is due by ${londonDateTime(r.deadline)}.` : undefined;
      const ack = acknowledgementNotice(received, timescale, now, { caseId });
      owed.push({ notice: ack, target: this.sender.referrerTarget(r.referrer, r.sourceAgency), agency: r.sourceAgency });
    }

    for (const { decision: d, publishedAt } of decisions) {
      const published = publishedAt.toISOString();
      for (const r of referrers) {
        const notice = outcomeNotice(
          d,
          {
            contactId: r.contactId,
            agencyReference: r.agencyReference,
            referrer: r.referrer,
            sourceAgency: r.sourceAgency,
            caseId: r.caseId,
          },
          now,
        );
        owed.push({
          notice,
          target: this.sender.referrerTarget(r.referrer, r.sourceAgency),
          agency: r.sourceAgency,
          sourcePublishedAt: published,
        });
      }
      for (const agency of contributors) {
        const notice = closingNotice(d, agency as AgencyId, now);
        owed.push({ notice, target: { kind: 'topic', agency }, agency, sourcePublishedAt: published });
      }
    }
    const missing = owed.filter((o) => !noticeIds.has(o.notice.noticeId));
    if (missing.length > 0) await this.sender.issue(m, missing);
  }
}
