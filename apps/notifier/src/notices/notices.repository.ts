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

/** A case as the notifier has it on record (NoticesRepository.caseOnRecord). */
export interface CaseOnRecord {
  referrers: CaseReferrer[];
  decisions: KeptDecision[];
  contributors: CheckAgency[];
  /** The notices issued to the case so far. */
  noticeIds: Set<string>;
}

export interface KeptDecision {
  decision: DecisionRecorded;
  publishedAt: Date;
}

/** An advisory lock of the notifier's: a contact's or a case's. */
export type NoticeLock = ['contact' | 'case', string];

/**
 * A statement's first step that takes `locks` in the order given (a select list is evaluated left
 * to right), as a one-row CTE `taken` the write then reads FROM, so the write comes after them.
 * The write's own snapshot is older than the locks, so it may only insert (ON CONFLICT looks at
 * the newest row, not the snapshot); what is read after the locks is read by a later statement.
 */
function takenFirst(locks: NoticeLock[], first: number): { sql: string; params: string[] } {
  return {
    sql: `WITH taken AS MATERIALIZED (SELECT ${locks.map((_, i) => `pg_advisory_xact_lock(hashtextextended($${first + i}, 0))`).join(', ')})`,
    params: locks.map(([kind, id]) => `notifier:${kind}:${id}`),
  };
}

/**
 * The notifier's record of who raised each contact, which case each contact belongs to, the
 * decisions and the agencies that contributed. Handlers for one case run concurrently (contact and
 * case events sit on different partitions), so each takes the advisory locks below before reading:
 * what it reads after them is everything the others committed. Each handler's first write takes its
 * locks in the same statement (takenFirst): a round trip less per event, about five per contact.
 */
@Injectable()
export class NoticesRepository {
  /**
   * Takes the locks in the order given, in one statement (a select list is evaluated left to
   * right). Contact before case, always, so two handlers never wait on each other in a circle.
   */
  async lock(m: EntityManager, ...locks: NoticeLock[]): Promise<void> {
    const { sql, params } = takenFirst(locks, 1);
    await m.query(`${sql} SELECT 1 FROM taken`, params);
  }

  /** Only what a notice may use: the referrer and the references, never the narrative or subjects. */
  async keepReferrer(
    m: EntityManager,
    r: { contactId: string; sourceAgency: SubmittingAgency; agencyReference: string; referrer: Contact['referrer']; receivedAt: string },
    locks: NoticeLock[],
  ): Promise<void> {
    const { sql, params } = takenFirst(locks, 6);
    await m.query(
      `${sql} INSERT INTO notifier.referrers (contact_id, source_agency, agency_reference, referrer, received_at)
       SELECT $1, $2, $3, $4::jsonb, $5::timestamptz FROM taken ON CONFLICT DO NOTHING`,
      [r.contactId, r.sourceAgency, r.agencyReference, sealedJsonb(r.referrer), r.receivedAt, ...params],
    );
  }

  /** The contact's case, if it has one, and the case's lock taken (the contact's is held). */
  async lockCaseOf(m: EntityManager, contactId: string): Promise<string | undefined> {
    const [row] = await m.query(
      `SELECT case_id, pg_advisory_xact_lock(hashtextextended('notifier:case:' || case_id, 0)) FROM notifier.case_contacts WHERE contact_id = $1`,
      [contactId],
    );
    return row?.case_id;
  }

  /**
   * The contact belongs to the case. The start rating's deadline is the promise made to the
   * referrer; a re-rating at the end of checks does not move it.
   */
  async attach(
    m: EntityManager,
    a: { contactId: string; caseId: string; deadline: string; ratedAt: string; stage: 'start' | 'end' },
    locks: NoticeLock[],
  ): Promise<void> {
    const { sql, params } = takenFirst(locks, 6);
    await m.query(
      `${sql} INSERT INTO notifier.case_contacts (contact_id, case_id, deadline, rated_at)
       SELECT $1, $2, $3::timestamptz, $4::timestamptz FROM taken
       ON CONFLICT (contact_id) DO UPDATE SET case_id = EXCLUDED.case_id,
         deadline = CASE WHEN $5 = 'start' THEN EXCLUDED.deadline ELSE COALESCE(notifier.case_contacts.deadline, EXCLUDED.deadline) END`,
      [a.contactId, a.caseId, a.deadline, a.ratedAt, a.stage, ...params],
    );
  }

  async addContributors(m: EntityManager, caseId: string, agencies: CheckAgency[], locks: NoticeLock[]): Promise<void> {
    if (!agencies.length) return this.lock(m, ...locks);
    const { sql, params } = takenFirst(locks, 3);
    await m.query(
      `${sql} INSERT INTO notifier.contributors (case_id, agency) SELECT $1, unnest($2::text[]) FROM taken ON CONFLICT DO NOTHING`,
      [caseId, agencies, ...params],
    );
  }

  async keepDecision(m: EntityManager, d: DecisionRecorded, publishedAt: string, locks: NoticeLock[]): Promise<void> {
    const { sql, params } = takenFirst(locks, 5);
    await m.query(
      `${sql} INSERT INTO notifier.decisions (decision_id, case_id, body, published_at)
       SELECT $1, $2, $3::jsonb, $4::timestamptz FROM taken ON CONFLICT DO NOTHING`,
      [d.decisionId, d.caseId, sealedJsonb(d), publishedAt, ...params],
    );
  }

  /**
   * Everything a case's notices are made from, in one statement: each referrer whose contact the
   * notifier has both halves of (the contact and its rating), the decisions, the contributing
   * agencies and the ids of the notices already issued (whatever became of them since).
   */
  async caseOnRecord(m: EntityManager, caseId: string): Promise<CaseOnRecord> {
    const [row]: {
      referrers: {
        contact_id: string;
        case_id: string;
        source_agency: SubmittingAgency;
        agency_reference: string;
        referrer: unknown;
        received_at: string;
        deadline: string | null;
      }[];
      decisions: { body: unknown; published_at: string }[];
      contributors: CheckAgency[];
      notice_ids: string[];
    }[] = await m.query(
      `SELECT
         (SELECT coalesce(json_agg(x ORDER BY x.contact_id), '[]') FROM (
            SELECT r.contact_id, c.case_id, r.source_agency, r.agency_reference, r.referrer, r.received_at, c.deadline
            FROM notifier.case_contacts c JOIN notifier.referrers r USING (contact_id) WHERE c.case_id = $1) x) AS referrers,
         (SELECT coalesce(json_agg(json_build_object('body', body, 'published_at', published_at) ORDER BY published_at, decision_id), '[]')
            FROM notifier.decisions WHERE case_id = $1) AS decisions,
         ARRAY(SELECT agency FROM notifier.contributors WHERE case_id = $1 ORDER BY agency) AS contributors,
         ARRAY(SELECT notice_id FROM notifier.notices WHERE case_id = $1) AS notice_ids`,
      [caseId],
    );
    return {
      referrers: row.referrers.map((r) => ({
        contactId: r.contact_id,
        caseId: r.case_id,
        sourceAgency: r.source_agency,
        agencyReference: r.agency_reference,
        referrer: openJsonb<Contact['referrer']>(r.referrer),
        receivedAt: new Date(r.received_at),
        deadline: r.deadline ? new Date(r.deadline) : null,
      })),
      decisions: row.decisions.map((d) => ({ decision: openJsonb<DecisionRecorded>(d.body), publishedAt: new Date(d.published_at) })),
      contributors: row.contributors,
      noticeIds: new Set(row.notice_ids),
    };
  }
}
