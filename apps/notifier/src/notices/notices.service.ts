import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AgencyId, CaseRated, CaseReady, CheckAgency, Contact, ContactReceived, DecisionRecorded, SubmittingAgency } from '@mash/contracts';
import { targetFor } from '../delivery/channel';
import { acknowledgementNotice, closingNotice, londonDateTime, outcomeNotice } from '../outcomeNotice';
import { NoticeSender } from '../sending/noticeSender';

interface ReferrerRow {
  contact_id: string;
  case_id: string;
  source_agency: SubmittingAgency;
  agency_reference: string;
  referrer: Contact['referrer'];
  received_at: Date;
  deadline: Date | null;
}

interface DecisionRow {
  body: DecisionRecorded;
  published_at: Date;
}

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
 * within seconds of receipt, well inside the one-working-day target (formats.md); the rating
 * itself is never named, it is the hub's internal grade.
 */
/**
 * Handlers for one case run concurrently (contact and case events sit on different partitions), and
 * under READ COMMITTED two of them could each miss the other's uncommitted half of the join: a
 * contact arriving with the decision would then never get its outcome notice. A transaction-scoped
 * advisory lock per contact and per case serialises them; after it, each sees what the other
 * committed. Always contact before case, so two handlers never wait on each other in a circle.
 */
async function lock(m: EntityManager, kind: 'contact' | 'case', id: string): Promise<void> {
  await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`notifier:${kind}:${id}`]);
}

@Injectable()
export class NoticesService {
  constructor(private readonly sender: NoticeSender) {}

  async contactReceived(e: ContactReceived, m: EntityManager): Promise<void> {
    await lock(m, 'contact', e.contactId);
    // Only what a notice may use: the referrer and the references, never the narrative or subjects.
    await m.query(
      `INSERT INTO notifier.referrers (contact_id, source_agency, agency_reference, referrer, received_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [e.contactId, e.sourceAgency, e.contact.agencyReference, JSON.stringify(e.contact.referrer), e.receivedAt],
    );
    const [row] = await m.query(`SELECT case_id FROM notifier.case_contacts WHERE contact_id = $1`, [e.contactId]);
    if (row) {
      await lock(m, 'case', row.case_id);
      await this.reconcile(m, row.case_id);
    }
  }

  async caseRated(e: CaseRated, m: EntityManager): Promise<void> {
    await lock(m, 'contact', e.contactId);
    await lock(m, 'case', e.caseId);
    // The start rating's deadline is the promise made to the referrer; a re-rating at the end of
    // checks does not move it.
    await m.query(
      `INSERT INTO notifier.case_contacts (contact_id, case_id, deadline, rated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (contact_id) DO UPDATE SET case_id = EXCLUDED.case_id,
         deadline = CASE WHEN $5 = 'start' THEN EXCLUDED.deadline ELSE COALESCE(notifier.case_contacts.deadline, EXCLUDED.deadline) END`,
      [e.contactId, e.caseId, e.deadline, e.ratedAt, e.stage],
    );
    await this.reconcile(m, e.caseId);
  }

  async caseReady(e: CaseReady, m: EntityManager): Promise<void> {
    await lock(m, 'case', e.caseId);
    // Agencies that replied contributed; the missing ones did not and get no closing notice.
    for (const agency of e.replied) {
      await m.query(`INSERT INTO notifier.contributors (case_id, agency) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [e.caseId, agency]);
    }
    await this.reconcile(m, e.caseId);
  }

  async decisionRecorded(d: DecisionRecorded, publishedAt: string, m: EntityManager): Promise<void> {
    await lock(m, 'case', d.caseId);
    await m.query(`INSERT INTO notifier.decisions (decision_id, case_id, body, published_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [
      d.decisionId,
      d.caseId,
      JSON.stringify(d),
      publishedAt,
    ]);
    await this.reconcile(m, d.caseId);
  }

  /** Issues every notice the case owes that does not exist yet. */
  async reconcile(m: EntityManager, caseId: string, now = new Date()): Promise<void> {
    const referrers: ReferrerRow[] = await m.query(
      `SELECT r.contact_id, c.case_id, r.source_agency, r.agency_reference, r.referrer, r.received_at, c.deadline
       FROM notifier.case_contacts c JOIN notifier.referrers r USING (contact_id) WHERE c.case_id = $1 ORDER BY r.contact_id`,
      [caseId],
    );
    const decisions: DecisionRow[] = await m.query(`SELECT body, published_at FROM notifier.decisions WHERE case_id = $1 ORDER BY published_at, decision_id`, [caseId]);
    const contributors: { agency: CheckAgency }[] = decisions.length
      ? await m.query(`SELECT agency FROM notifier.contributors WHERE case_id = $1 ORDER BY agency`, [caseId])
      : [];

    for (const r of referrers) {
      const received: ContactReceived = {
        contactId: r.contact_id,
        receivedAt: new Date(r.received_at).toISOString(),
        sourceAgency: r.source_agency,
        // The notifier keeps no more of the contact than a notice may use (see contactReceived).
        contact: { agencyReference: r.agency_reference, referrer: r.referrer } as Contact,
      };
      const timescale = r.deadline ? `a decision is due by ${londonDateTime(r.deadline)}.` : undefined;
      const ack = acknowledgementNotice(received, timescale, now, { caseId });
      await this.sender.issue(m, ack, targetFor(r.referrer.channel, r.source_agency), r.source_agency);
    }

    for (const { body: d, published_at } of decisions) {
      const publishedAt = new Date(published_at).toISOString();
      for (const r of referrers) {
        const notice = outcomeNotice(d, { contactId: r.contact_id, agencyReference: r.agency_reference, referrer: r.referrer, sourceAgency: r.source_agency, caseId: r.case_id }, now);
        await this.sender.issue(m, notice, targetFor(r.referrer.channel, r.source_agency), r.source_agency, publishedAt);
      }
      for (const { agency } of contributors) {
        const notice = closingNotice(d, agency as AgencyId, now);
        await this.sender.issue(m, notice, { kind: 'topic', agency }, agency, publishedAt);
      }
    }
  }
}
