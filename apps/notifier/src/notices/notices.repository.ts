import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { openJsonb, sealedJsonb } from '@mash/at-rest';
import type { CheckAgency, Contact, DecisionRecorded, SubmittingAgency } from '@mash/contracts';

/** A referrer of a case: who raised one of its contacts and how to reach them. */
export interface CaseReferrer {
  contactId: string;
  caseId: string;
  sourceAgency: SubmittingAgency;
  agencyReference: string;
  referrer: Contact['referrer'];
  receivedAt: Date;
  /** The start rating's deadline: the timescale promised in the acknowledgement. */
  deadline: Date | null;
}

export interface KeptDecision {
  decision: DecisionRecorded;
  publishedAt: Date;
}

/**
 * The notifier's record of who raised each contact, which case each contact belongs to, the
 * decisions and the agencies that contributed. Handlers for one case run concurrently (contact and
 * case events sit on different partitions), so each takes the advisory locks below before reading:
 * what it reads after them is everything the others committed.
 */
@Injectable()
export class NoticesRepository {
  /** Contact before case, always, so two handlers never wait on each other in a circle. */
  async lock(m: EntityManager, kind: 'contact' | 'case', id: string): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`notifier:${kind}:${id}`]);
  }

  /** Only what a notice may use: the referrer and the references, never the narrative or subjects. */
  async keepReferrer(
    m: EntityManager,
    r: { contactId: string; sourceAgency: SubmittingAgency; agencyReference: string; referrer: Contact['referrer']; receivedAt: string },
  ): Promise<void> {
    await m.query(
      `INSERT INTO notifier.referrers (contact_id, source_agency, agency_reference, referrer, received_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
      [r.contactId, r.sourceAgency, r.agencyReference, sealedJsonb(r.referrer), r.receivedAt],
    );
  }

  async caseOf(m: EntityManager, contactId: string): Promise<string | undefined> {
    const [row] = await m.query(`SELECT case_id FROM notifier.case_contacts WHERE contact_id = $1`, [contactId]);
    return row?.case_id;
  }

  /**
   * The contact belongs to the case. The start rating's deadline is the promise made to the
   * referrer; a re-rating at the end of checks does not move it.
   */
  async attach(
    m: EntityManager,
    a: { contactId: string; caseId: string; deadline: string; ratedAt: string; stage: 'start' | 'end' },
  ): Promise<void> {
    await m.query(
      `INSERT INTO notifier.case_contacts (contact_id, case_id, deadline, rated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (contact_id) DO UPDATE SET case_id = EXCLUDED.case_id,
         deadline = CASE WHEN $5 = 'start' THEN EXCLUDED.deadline ELSE COALESCE(notifier.case_contacts.deadline, EXCLUDED.deadline) END`,
      [a.contactId, a.caseId, a.deadline, a.ratedAt, a.stage],
    );
  }

  async addContributors(m: EntityManager, caseId: string, agencies: CheckAgency[]): Promise<void> {
    if (!agencies.length) return;
    await m.query(`INSERT INTO notifier.contributors (case_id, agency) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, [
      caseId,
      agencies,
    ]);
  }

  async keepDecision(m: EntityManager, d: DecisionRecorded, publishedAt: string): Promise<void> {
    await m.query(
      `INSERT INTO notifier.decisions (decision_id, case_id, body, published_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
      [d.decisionId, d.caseId, sealedJsonb(d), publishedAt],
    );
  }

  /** Every referrer of the case whose contact the notifier has both halves of (the contact and its rating). */
  async referrersOf(m: EntityManager, caseId: string): Promise<CaseReferrer[]> {
    const rows: {
      contact_id: string;
      case_id: string;
      source_agency: SubmittingAgency;
      agency_reference: string;
      referrer: unknown;
      received_at: Date;
      deadline: Date | null;
    }[] = await m.query(
      `SELECT r.contact_id, c.case_id, r.source_agency, r.agency_reference, r.referrer, r.received_at, c.deadline
       FROM notifier.case_contacts c JOIN notifier.referrers r USING (contact_id) WHERE c.case_id = $1 ORDER BY r.contact_id`,
      [caseId],
    );
    return rows.map((r) => ({
      contactId: r.contact_id,
      caseId: r.case_id,
      sourceAgency: r.source_agency,
      agencyReference: r.agency_reference,
      referrer: openJsonb<Contact['referrer']>(r.referrer),
      receivedAt: new Date(r.received_at),
      deadline: r.deadline ? new Date(r.deadline) : null,
    }));
  }

  async decisionsOf(m: EntityManager, caseId: string): Promise<KeptDecision[]> {
    const rows: { body: unknown; published_at: Date }[] = await m.query(
      `SELECT body, published_at FROM notifier.decisions WHERE case_id = $1 ORDER BY published_at, decision_id`,
      [caseId],
    );
    return rows.map((r) => ({ decision: openJsonb<DecisionRecorded>(r.body), publishedAt: new Date(r.published_at) }));
  }

  /** The ids of the notices the case has been issued, whatever became of them since. */
  async noticeIdsOf(m: EntityManager, caseId: string): Promise<Set<string>> {
    const rows: { notice_id: string }[] = await m.query(`SELECT notice_id FROM notifier.notices WHERE case_id = $1`, [caseId]);
    return new Set(rows.map((r) => r.notice_id));
  }

  async contributorsOf(m: EntityManager, caseId: string): Promise<CheckAgency[]> {
    const rows: { agency: CheckAgency }[] = await m.query(`SELECT agency FROM notifier.contributors WHERE case_id = $1 ORDER BY agency`, [
      caseId,
    ]);
    return rows.map((r) => r.agency);
  }
}
