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
import { AgencyAtReadiness, boardWithCase, PlannedCheck } from '../board/board.repository';
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
 * The rating at the start of checks and at the end, kept beside each other on the case row by the
 * rating's statement (statusRows.rateCase). Each stage has its own column, so a start that arrives
 * after its end (they travel on one topic, but a revised start can follow an end) lands in its
 * place; of two ends the later rating wins, decided inside the row update rather than from a read
 * before it. The reasons can quote the case and are sealed; the rating, rules and times stay plain
 * for the indicators (GATEWAY_SEALED, docs/architecture.md). Undefined: the rating leaves both as
 * they are (a revised start, from a consent override or an escalation by a duplicate, adds checks;
 * the first start is the triage rating).
 */
export function ratingStageOf(e: CaseRated): { start?: string; end?: string } {
  if (e.stage === 'start' && (e.revision ?? 1) > 1) return {};
  const stage: RatingStage = {
    rating: e.rating,
    ruleIds: e.ruleIds,
    reasons: e.reasons,
    policyVersion: e.policyVersion,
    ratedAt: e.ratedAt,
    ...(e.outOfArea ? { outOfArea: e.outOfArea } : {}),
  };
  const sealed = JSON.stringify(sealedAt(stage, 'reasons'));
  return e.stage === 'start' ? { start: sealed } : { end: sealed };
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

/** A step of the case and what the event adds to the case row (a picture, a decision's facts). */
export interface CaseChange {
  /** The step (null: none) and the JSON array added to the history. */
  stage: string | null;
  entry: string;
  /** The step is taken only while the case is undecided (readiness and its revisions). */
  unlessDecided?: boolean;
  ready?: CaseReady;
  decision?: CaseDecisionFacts;
  /** The board's rows of a readiness, written with the case. */
  board?: AgencyAtReadiness[];
}

/**
 * Whether a statement that wrote a case and its contacts together did so: `known`, the case was
 * there for the statement; `written`, its row and contacts were written. Known but not written:
 * another transaction changed the case row after the statement began (statusRows below), nothing
 * was written, and the caller takes the row's lock and sends the statement again.
 */
export interface CaseWrite {
  known: boolean;
  written: boolean;
}

/**
 * The guard that makes one statement safe for a case row and its contacts. A statement reads with
 * the snapshot it began with (READ COMMITTED), which the case row's lock, taken inside it, does not
 * renew: a contact attached by a transaction that held the lock while the statement waited would be
 * missed. So the case row is written only if it is the version the snapshot saw (its xmin); then
 * no transaction changed the case since the snapshot, and every contact attached to it is in the
 * snapshot, since attaching one writes the case row first. Under a concurrent change Postgres
 * re-checks the condition on the newest version (or, for INSERT ... ON CONFLICT, on the row it
 * locked), finds another xmin, and writes nothing; the row stays locked by this transaction.
 */
const SEEN = `(SELECT xmin FROM gateway.cases WHERE case_id = $1)`;

/**
 * The status projection's writes (StatusProjection says in which order and why): each runs in the
 * handler's transaction (`m`). Each write of a case and its contacts is one statement, the case row
 * first (locking it), guarded by SEEN. An UPDATE answers whether it found its row (TypeORM gives
 * [rows, count]).
 */
export const statusRows = {
  /**
   * A rating: the case row (created by the first), its rating stages, the rating and deadline onto
   * every contact attached to the case, and the rated contact attached to it if not yet, taking the
   * case's progress; and the board's rows of the checks it plans. `attached`: the rated contact
   * was attached now; `contactKnown`: it is here.
   */
  async rateCase(
    m: EntityManager,
    e: CaseRated,
    change: { stage: string | null; entry: string; own: string },
    checks: PlannedCheck[],
  ): Promise<CaseWrite & { attached: boolean; contactKnown: boolean }> {
    const stages = ratingStageOf(e);
    const [r]: { written: boolean; attached: boolean; contact_known: boolean }[] = await m.query(
      `WITH c AS (
         INSERT INTO gateway.cases AS c (case_id, contact_id, rating, policy_version, deadline, stage, history, rating_start, rating_end)
         VALUES ($1, $2, $3, $4, $5, COALESCE($6::text, 'rated'), $7::jsonb, $9::jsonb, $10::jsonb)
         ON CONFLICT (case_id) DO UPDATE SET rating = EXCLUDED.rating, policy_version = EXCLUDED.policy_version, deadline = EXCLUDED.deadline,
           stage = CASE WHEN $6::text IS NULL THEN c.stage ELSE ${furthestStageSql('c.stage', '$6::text')} END,
           history = c.history || $7::jsonb, updated_at = now(),
           rating_start = COALESCE($9::jsonb, c.rating_start),
           rating_end = CASE WHEN $10::jsonb IS NOT NULL AND (c.rating_end IS NULL OR (c.rating_end->>'ratedAt')::timestamptz <= $11::timestamptz)
             THEN $10::jsonb ELSE c.rating_end END
         WHERE c.xmin = ${SEEN}
         RETURNING c.*
       ), rated AS (
         UPDATE gateway.contact_status s SET rating = $3, deadline = $5, updated_at = now(),
           stage = CASE WHEN $6::text IS NULL THEN s.stage ELSE ${furthestStageSql('s.stage', '$6::text')} END,
           history = s.history || $7::jsonb
         FROM c WHERE s.case_id = $1
       ), attached AS (
         UPDATE gateway.contact_status s SET case_id = c.case_id, rating = c.rating, deadline = c.deadline, updated_at = now(),
           stage = ${furthestStageSql(furthestStageSql('s.stage', `'rated'::text`), 'c.stage')},
           history = ${sortedHistory('s.history || c.history || $8::jsonb')},
           ready_at = c.ready_at, complete = c.complete, missing = CASE WHEN c.ready THEN c.missing END,
           decided_at = c.decided_at, outcomes = c.outcomes
         FROM c WHERE s.contact_id = $2 AND s.case_id IS NULL
         RETURNING s.contact_id
       ), board AS (${boardWithCase.planChecks('$12', '$13')})
       SELECT EXISTS (SELECT 1 FROM c) AS written, EXISTS (SELECT 1 FROM attached) AS attached,
         EXISTS (SELECT 1 FROM gateway.contact_status WHERE contact_id = $2) AS contact_known`,
      [
        e.caseId,
        e.contactId,
        e.rating,
        e.policyVersion,
        e.deadline,
        change.stage,
        change.entry,
        change.own,
        stages.start ?? null,
        stages.end ?? null,
        e.ratedAt,
        checks.map((p) => p.agency),
        checks.map((p) => p.dueAt),
      ],
    );
    // The INSERT inserts or meets a row: it wrote nothing only when SEEN stopped it, so the case is there.
    return { known: true, written: r.written, attached: r.attached, contactKnown: r.contact_known };
  },

  /** Locks the case's row for the rest of the transaction (after a write SEEN stopped). */
  async lockCase(m: EntityManager, caseId: string): Promise<void> {
    await m.query(`SELECT 1 FROM gateway.cases WHERE case_id = $1 FOR UPDATE`, [caseId]);
  },

  /** A step onto one contact, forward only; false when the contact is not here yet. */
  async contactStep(m: EntityManager, contactId: string, step: { at: string; stage: string }): Promise<boolean> {
    const [, contactKnown]: [unknown, number] = await m.query(
      `UPDATE gateway.contact_status SET updated_at = now(), stage = ${furthestStageSql('stage', '$2::text')}, history = history || $3::jsonb WHERE contact_id = $1`,
      [contactId, step.stage, JSON.stringify([step])],
    );
    return contactKnown !== 0;
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

  /**
   * A step on the case row (locking it), with the event's facts (a picture: chronology sealed; a
   * decision's: the first decision's stay), and every contact attached to the case takes the case's
   * facts as they now are, and the step. Whether the step is taken (`unlessDecided`) is decided on
   * the row as the UPDATE holds it, so a decision recorded meanwhile is seen.
   */
  async caseStep(m: EntityManager, caseId: string, change: CaseChange): Promise<CaseWrite> {
    const params: unknown[] = [caseId, change.stage, change.entry, change.unlessDecided ?? false];
    const facts: string[] = [];
    if (change.ready) {
      const e = change.ready;
      params.push(sealedJsonb(e.chronology), JSON.stringify(e.replied), JSON.stringify(e.missing), e.complete, e.readyAt);
      facts.push(
        `ready = true, chronology = $5, replied = $6, missing = $7, complete = $8, ready_at = COALESCE(ready_at, $9::timestamptz)`,
      );
    }
    if (change.decision) {
      params.push(change.decision.decidedAt, JSON.stringify(change.decision.outcomes));
      const [d, o] = [params.length - 1, params.length];
      facts.push(`decided_at = COALESCE(decided_at, $${d}::timestamptz), outcomes = COALESCE(outcomes, $${o}::jsonb)`);
    }
    const ctes: string[] = [];
    if (change.board?.length) {
      const b = change.board;
      params.push(
        b.map((a) => a.agency),
        b.map((a) => a.missing),
        b.map((a) => a.late),
      );
      const n = params.length;
      ctes.push(`, board AS (${boardWithCase.readiness(`$${n - 2}`, `$${n - 1}`, `$${n}`)})`);
    }
    // The step is skipped on a decided case when asked; then nothing is added to the history either.
    const skips = (decisionId: string) => `$2::text IS NULL OR ($4::boolean AND ${decisionId} IS NOT NULL)`;
    const [r]: { known: boolean; written: boolean }[] = await m.query(
      `WITH c AS (
         UPDATE gateway.cases SET updated_at = now(),
           stage = CASE WHEN ${skips('decision_id')} THEN stage ELSE ${furthestStageSql('stage', '$2::text')} END,
           history = CASE WHEN ${skips('decision_id')} THEN history ELSE history || $3::jsonb END${facts.map((f) => `, ${f}`).join('')}
         WHERE case_id = $1 AND xmin = ${SEEN}
         RETURNING case_id, decision_id, ready, ready_at, complete, missing, decided_at, outcomes
       ), contacts AS (
         UPDATE gateway.contact_status s SET updated_at = now(),
           ready_at = c.ready_at, complete = c.complete, missing = CASE WHEN c.ready THEN c.missing END, decided_at = c.decided_at, outcomes = c.outcomes,
           stage = CASE WHEN ${skips('c.decision_id')} THEN s.stage ELSE ${furthestStageSql('s.stage', '$2::text')} END,
           history = CASE WHEN ${skips('c.decision_id')} THEN s.history ELSE s.history || $3::jsonb END
         FROM c WHERE s.case_id = $1
       )${ctes.join('')}
       SELECT EXISTS (SELECT 1 FROM gateway.cases WHERE case_id = $1) AS known, EXISTS (SELECT 1 FROM c) AS written`,
      params,
    );
    return r;
  },
};
