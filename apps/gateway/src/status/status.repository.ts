import { Injectable } from '@nestjs/common';
import { openedAt, openJsonb, sealedAt, sealedJsonb } from '@mash/at-rest';
import { DataSource, EntityManager } from 'typeorm';
import type {
  CaseRated,
  CaseReady,
  CheckAgency,
  ChronologyEntry,
  Contact,
  ContactSubject,
  DecisionOutcome,
  NoticeDelivered,
  Rating,
} from '@mash/contracts';
import { furthestStageSql } from './stages';
import { TransfersRepository, TransferState } from '../transfers/transfers.repository';

/** One contact's journey as the referrer may see it: stage, rating, times; no case content. */
export interface ContactJourney {
  contactId: string;
  sourceAgency: string;
  agencyReference: string;
  receivedAt: Date;
  stage: string;
  caseId: string | null;
  rating: Rating | null;
  deadline: Date | null;
  readyAt: Date | null;
  complete: boolean | null;
  missingAgencies: CheckAgency[] | null;
  decidedAt: Date | null;
  outcomes: DecisionOutcome[] | null;
  referrerInformedAt: Date | null;
  noticeStatus: string | null;
  history: { at: string; stage: string }[];
}

/** The full picture of a case, for the decision maker. */
export interface CasePicture {
  caseId: string;
  contactId: string;
  rating: Rating;
  policyVersion: string;
  deadline: Date;
  ready: boolean;
  replied: CheckAgency[];
  missing: CheckAgency[];
  chronology: ChronologyEntry[];
  decisionId: string | null;
  /** Who the case is about and what each contact said, from every contact on the case. */
  subjects: Awaited<ReturnType<typeof caseSubjects>>['subjects'];
  presentingIssues: Awaited<ReturnType<typeof caseSubjects>>['presentingIssues'];
  /** The rating with its rules and reasons at the start of checks and at their end. */
  ratingStart: RatingStage | null;
  ratingEnd: RatingStage | null;
  /** The child lives outside the area: the neighbouring MASH triage named (from the start rating). */
  outOfArea: RatingStage['outOfArea'] | null;
  /** Hand-overs to neighbouring MASHs and whether each was acknowledged. */
  transfers: TransferState[];
}

/** Reads of the status projection (StatusProjection writes it). Rows in, domain values out. */
@Injectable()
export class StatusRepository {
  constructor(private readonly ds: DataSource) {}

  async journey(contactId: string): Promise<ContactJourney | undefined> {
    const [r] = await this.ds.query(
      `SELECT s.*, c.source_agency, c.agency_reference, c.received_at FROM gateway.contact_status s JOIN gateway.contacts c USING (contact_id) WHERE s.contact_id = $1`,
      [contactId],
    );
    if (!r) return undefined;
    return {
      contactId: r.contact_id,
      sourceAgency: r.source_agency,
      agencyReference: r.agency_reference,
      receivedAt: r.received_at,
      stage: r.stage,
      caseId: r.case_id,
      rating: r.rating,
      deadline: r.deadline,
      readyAt: r.ready_at,
      complete: r.complete,
      missingAgencies: r.missing,
      decidedAt: r.decided_at,
      outcomes: r.outcomes,
      referrerInformedAt: r.referrer_informed_at,
      noticeStatus: r.notice_status,
      history: r.history,
    };
  }

  async casePicture(caseId: string, m: EntityManager): Promise<CasePicture | undefined> {
    const [r] = await m.query(`SELECT * FROM gateway.cases WHERE case_id = $1`, [caseId]);
    if (!r) return undefined;
    return {
      caseId: r.case_id,
      contactId: r.contact_id,
      rating: r.rating,
      policyVersion: r.policy_version,
      deadline: r.deadline,
      ready: r.ready,
      replied: r.replied,
      missing: r.missing,
      chronology: openJsonb<ChronologyEntry[]>(r.chronology),
      decisionId: r.decision_id,
      ...(await caseSubjects(m, caseId)),
      ratingStart: openedAt<RatingStage | null>(r.rating_start ?? null, 'reasons'),
      ratingEnd: openedAt<RatingStage | null>(r.rating_end ?? null, 'reasons'),
      outOfArea: r.rating_start?.outOfArea ?? null,
      transfers: await new TransfersRepository().ofCase(m, caseId),
    };
  }
}

/** One rating of the case as the decision maker reads it: the rules that fired and why. */
export interface RatingStage {
  rating: CaseRated['rating'];
  ruleIds: string[];
  reasons: string[];
  policyVersion: string;
  ratedAt: string;
  /** The child lives outside the area: the district and the neighbouring MASH that should hold the case. */
  outOfArea?: CaseRated['outOfArea'];
}

/**
 * Keeps the rating at the start of checks and at the end beside each other. Each stage has its own
 * column, so a start that arrives after its end (they travel on one topic, but a revised start can
 * follow an end) lands in its place; of two ends the later rating wins, decided inside the row
 * update rather than from a read before it. The reasons can quote the case and are sealed; the
 * rating, rules and times stay plain for the indicators (GATEWAY_SEALED, docs/architecture.md).
 */
export async function recordRatingStage(m: EntityManager, e: CaseRated): Promise<void> {
  const stage: RatingStage = {
    rating: e.rating,
    ruleIds: e.ruleIds,
    reasons: e.reasons,
    policyVersion: e.policyVersion,
    ratedAt: e.ratedAt,
    ...(e.outOfArea ? { outOfArea: e.outOfArea } : {}),
  };
  if (e.stage === 'start') {
    // A revised start (consent override, escalation by a duplicate) adds checks; the first start is the triage rating.
    if ((e.revision ?? 1) > 1) return;
    await m.query(`UPDATE gateway.cases SET rating_start = $2 WHERE case_id = $1`, [e.caseId, JSON.stringify(sealedAt(stage, 'reasons'))]);
    return;
  }
  await m.query(
    `UPDATE gateway.cases SET rating_end = $2 WHERE case_id = $1 AND (rating_end IS NULL OR (rating_end->>'ratedAt')::timestamptz <= $3::timestamptz)`,
    [e.caseId, JSON.stringify(sealedAt(stage, 'reasons')), e.ratedAt],
  );
}

type PictureSubject = ContactSubject & { contactId: string };

/**
 * Who the case is about, from every contact that joined it: the children (unborn included), the
 * adults, and each contact's household (address and relationships), with what each contact said
 * the concern was (codes as sent, so an unmapped code is in front of the decision maker).
 */
export async function caseSubjects(m: EntityManager, caseId: string) {
  const stored: { contact_id: string; source_agency: string; body: unknown }[] = await m.query(
    `SELECT c.contact_id, c.source_agency, c.body FROM gateway.contacts c JOIN gateway.contact_status s ON s.contact_id = c.contact_id
     WHERE s.case_id = $1 ORDER BY c.received_at, c.contact_id`,
    [caseId],
  );
  const rows = stored.map((r) => ({ ...r, body: openJsonb<Partial<Contact>>(r.body) }));
  const everyone: PictureSubject[] = rows.flatMap((r) => (r.body.subjects ?? []).map((s) => ({ ...s, contactId: r.contact_id })));
  return {
    subjects: {
      children: everyone.filter((s) => s.kind !== 'adult'),
      adults: everyone.filter((s) => s.kind === 'adult'),
      households: rows.filter((r) => r.body.household).map((r) => ({ contactId: r.contact_id, ...r.body.household })),
    },
    presentingIssues: rows.flatMap((r) =>
      (r.body.presentingIssues ?? []).map((i) => ({ ...i, contactId: r.contact_id, agency: r.source_agency })),
    ),
  };
}

/** History entries sorted by time, the order they were added breaking ties. */
const sortedHistory = (expr: string) =>
  `(SELECT COALESCE(jsonb_agg(h.x ORDER BY h.x->>'at', h.n), '[]'::jsonb) FROM jsonb_array_elements(${expr}) WITH ORDINALITY AS h(x, n))`;

/** What a decision adds to its case row; the first decision's stay. */
export interface CaseDecisionFacts {
  decidedAt: string;
  outcomes: DecisionOutcome[];
}

/**
 * The status projection's writes (StatusProjection says in which order and why): each runs in the
 * handler's transaction (`m`), and each that touches gateway.cases locks that case's row. `stage` is
 * the step a statement moves to (null: none) and `entry` the JSON array added to the history. An
 * UPDATE answers whether it found its row (TypeORM gives [rows, count]).
 */
export const statusRows = {
  async upsertCaseRating(m: EntityManager, e: CaseRated, stage: string | null, entry: string): Promise<void> {
    await m.query(
      `INSERT INTO gateway.cases AS c (case_id, contact_id, rating, policy_version, deadline, stage, history)
       VALUES ($1, $2, $3, $4, $5, COALESCE($6::text, 'rated'), $7::jsonb)
       ON CONFLICT (case_id) DO UPDATE SET rating = EXCLUDED.rating, policy_version = EXCLUDED.policy_version, deadline = EXCLUDED.deadline,
         stage = CASE WHEN $6::text IS NULL THEN c.stage ELSE ${furthestStageSql('c.stage', '$6::text')} END,
         history = c.history || $7::jsonb, updated_at = now()`,
      [e.caseId, e.contactId, e.rating, e.policyVersion, e.deadline, stage, entry],
    );
  },

  /** The case's rating and deadline onto every contact attached to it. */
  async rateCaseContacts(m: EntityManager, e: CaseRated, stage: string | null, entry: string): Promise<void> {
    await m.query(
      `UPDATE gateway.contact_status SET rating = $2, deadline = $3, updated_at = now(),
         stage = CASE WHEN $4::text IS NULL THEN stage ELSE ${furthestStageSql('stage', '$4::text')} END,
         history = history || $5::jsonb
       WHERE case_id = $1`,
      [e.caseId, e.rating, e.deadline, stage, entry],
    );
  },

  /** Attaches a contact not yet on a case to `caseId`, taking the case's progress; false when none was attached. */
  async attachContact(m: EntityManager, caseId: string, contactId: string, own: string): Promise<boolean> {
    const [, attached]: [unknown, number] = await m.query(
      `UPDATE gateway.contact_status s SET case_id = c.case_id, rating = c.rating, deadline = c.deadline, updated_at = now(),
         stage = ${furthestStageSql(furthestStageSql('s.stage', `'rated'::text`), 'c.stage')},
         history = ${sortedHistory('s.history || c.history || $3::jsonb')},
         ready_at = c.ready_at, complete = c.complete, missing = CASE WHEN c.ready THEN c.missing END,
         decided_at = c.decided_at, outcomes = c.outcomes
       FROM gateway.cases c WHERE c.case_id = $1 AND s.contact_id = $2 AND s.case_id IS NULL`,
      [caseId, contactId, own],
    );
    return attached !== 0;
  },

  async contactKnown(m: EntityManager, contactId: string): Promise<boolean> {
    const [row] = await m.query(`SELECT case_id FROM gateway.contact_status WHERE contact_id = $1`, [contactId]);
    return row !== undefined;
  },

  /** Locks the case's row for the rest of the transaction; false when the case is not here yet. */
  async lockCase(m: EntityManager, caseId: string): Promise<boolean> {
    const [, caseKnown]: [unknown, number] = await m.query(`UPDATE gateway.cases SET updated_at = now() WHERE case_id = $1`, [caseId]);
    return caseKnown !== 0;
  },

  /** A step onto one contact, forward only; false when the contact is not here yet. */
  async contactStep(m: EntityManager, contactId: string, step: { at: string; stage: string }): Promise<boolean> {
    const [, contactKnown]: [unknown, number] = await m.query(
      `UPDATE gateway.contact_status SET updated_at = now(), stage = ${furthestStageSql('stage', '$2::text')}, history = history || $3::jsonb WHERE contact_id = $1`,
      [contactId, step.stage, JSON.stringify([step])],
    );
    return contactKnown !== 0;
  },

  /** The case's picture (chronology sealed); undefined when the case is not here yet, else whether it was decided. */
  async caseReady(m: EntityManager, e: CaseReady): Promise<{ decided: boolean } | undefined> {
    const [rows, known]: [{ decision_id: string | null }[], number] = await m.query(
      `UPDATE gateway.cases SET ready = true, chronology = $2, replied = $3, missing = $4, complete = $5,
         ready_at = COALESCE(ready_at, $6::timestamptz), updated_at = now()
       WHERE case_id = $1 RETURNING decision_id`,
      [e.caseId, sealedJsonb(e.chronology), JSON.stringify(e.replied), JSON.stringify(e.missing), e.complete, e.readyAt],
    );
    if (known === 0) return undefined;
    return { decided: rows[0].decision_id !== null };
  },

  /** One referrer's notice receipt onto its contact; false when the contact is not here yet. */
  async contactNotice(
    m: EntityManager,
    contactId: string,
    n: { stage: string; informedAt: string | null; status: NoticeDelivered['status']; at: string },
  ): Promise<boolean> {
    const moves = `${furthestStageSql('stage', '$2::text')} = $2::text`;
    const [, updated]: [unknown, number] = await m.query(
      `UPDATE gateway.contact_status SET updated_at = now(),
         referrer_informed_at = CASE WHEN ${moves} THEN $3::timestamptz ELSE referrer_informed_at END,
         notice_status = CASE WHEN ${moves} THEN $4 ELSE notice_status END,
         stage = ${furthestStageSql('stage', '$2::text')},
         history = history || jsonb_build_array(jsonb_build_object('at', $5::text, 'stage', $2::text))
       WHERE contact_id = $1`,
      [contactId, n.stage, n.informedAt, n.status, n.at],
    );
    return updated !== 0;
  },

  /** A step on the case row (locking it), with a decision's facts if any; false when the case is not here yet. */
  async caseStep(m: EntityManager, caseId: string, stage: string | null, entry: string, decision?: CaseDecisionFacts): Promise<boolean> {
    const facts = decision
      ? {
          sql: 'decided_at = COALESCE(decided_at, $4::timestamptz), outcomes = COALESCE(outcomes, $5::jsonb)',
          params: [decision.decidedAt, JSON.stringify(decision.outcomes)],
        }
      : undefined;
    const [, known]: [unknown, number] = await m.query(
      `UPDATE gateway.cases SET updated_at = now(),
         stage = CASE WHEN $2::text IS NULL THEN stage ELSE ${furthestStageSql('stage', '$2::text')} END,
         history = history || $3::jsonb${facts ? `, ${facts.sql}` : ''}
       WHERE case_id = $1`,
      [caseId, stage, entry, ...(facts?.params ?? [])],
    );
    return known !== 0;
  },

  /** Every contact attached to the case takes the case's facts as they now are, and the step. */
  async caseContactsCatchUp(m: EntityManager, caseId: string, stage: string | null, entry: string): Promise<void> {
    await m.query(
      `UPDATE gateway.contact_status s SET updated_at = now(),
         ready_at = c.ready_at, complete = c.complete, missing = CASE WHEN c.ready THEN c.missing END, decided_at = c.decided_at, outcomes = c.outcomes,
         stage = CASE WHEN $2::text IS NULL THEN s.stage ELSE ${furthestStageSql('s.stage', '$2::text')} END,
         history = s.history || $3::jsonb
       FROM gateway.cases c WHERE c.case_id = $1 AND s.case_id = $1`,
      [caseId, stage, entry],
    );
  },
};
