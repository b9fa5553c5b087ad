import type { EntityManager } from 'typeorm';
import { heldSql } from '@mash/platform';
import type { ConsentOverride, LawfulBasis, PlanItem, Rating } from '@mash/contracts';
import type { ManagerOverride } from '../consent';
import { affectedRows, dataKeys, isSealed } from '@mash/at-rest';

/**
 * Cases, their ratings history and consent overrides (triage.cases, triage.ratings,
 * triage.consent_overrides): the only place their SQL lives. Rows come out as domain values
 * (timestamps as Dates, JSON columns parsed by the driver). Free-text reasons (a rating changed
 * by hand, a consent override) can quote the case: they are sealed (docs/architecture.md,
 * "Encryption at rest"; the columns are listed in ../sealedColumns.ts for rotation). So are the
 * professionals' names the rows carry (the allocated worker, the decision maker, the manager who
 * overrode consent, who rated): personal data of staff, needed only to be read back.
 */

/** Seals a free-text reason; no reason (NULL) and retention's emptied '' stay as they are. */
function sealReason<T extends string | null | undefined>(v: T): T | string {
  return v ? dataKeys().seal(v) : v;
}

function openReason(v: string): string {
  return isSealed(v) ? dataKeys().open(v) : v;
}

/** A professional's name: sealed as a reason is; a value from before sealing reads as it is. */
const sealName = sealReason;
function openName<T extends string | null>(v: T): T {
  return (v ? openReason(v) : v) as T;
}

export interface CaseRow {
  case_id: string;
  contact_id: string;
  start_rating: Rating;
  current_rating: Rating;
  end_rating: Rating | null;
  rule_ids: string[];
  reasons: string[];
  policy_version: string;
  deadline: Date;
  received_at: Date;
  lawful_basis: LawfulBasis;
  check_plan: PlanItem[];
  revision: number;
  state: string;
  allocated_worker: string | null;
}

/** The case row, locked for the rest of the transaction: every change to a case starts here. */
export async function lockCase(m: EntityManager, caseId: string): Promise<CaseRow | undefined> {
  const [c]: CaseRow[] = await m.query(`SELECT * FROM triage.cases WHERE case_id = $1 FOR UPDATE`, [caseId]);
  if (!c) return undefined;
  return { ...c, deadline: new Date(c.deadline), received_at: new Date(c.received_at), allocated_worker: openName(c.allocated_worker) };
}

export interface NewCase {
  caseId: string;
  contactId: string;
  sourceAgency: string;
  receivedAt: Date;
  rating: Rating;
  ruleIds: string[];
  reasons: string[];
  policyVersion: string;
  deadline: Date;
  lawfulBasis: LawfulBasis;
  checkPlan: PlanItem[];
  allocatedWorker?: string;
  householdId?: string;
}

export async function insertCase(m: EntityManager, c: NewCase): Promise<void> {
  await m.query(
    `INSERT INTO triage.cases (case_id, contact_id, source_agency, received_at, start_rating, current_rating, rule_ids, reasons, policy_version, deadline, lawful_basis, check_plan, allocated_worker, household_id)
     VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    caseValues(c),
  );
}

/** A new case's values, in the order of insertCase's columns (the rating once: start and current). */
export function caseValues(c: NewCase): unknown[] {
  return [
    c.caseId,
    c.contactId,
    c.sourceAgency,
    c.receivedAt,
    c.rating,
    JSON.stringify(c.ruleIds),
    JSON.stringify(c.reasons),
    c.policyVersion,
    c.deadline,
    c.lawfulBasis,
    JSON.stringify(c.checkPlan),
    sealName(c.allocatedWorker ?? null),
    c.householdId ?? null,
  ];
}

export interface RatingEntry {
  stage: 'start' | 'end' | 'decision';
  rating: Rating;
  ruleIds: string[];
  reasons: string[];
  policyVersion: string;
  ratedBy: string;
  reason?: string | null;
}

/** One line of the case's ratings history (the start -> end matrix is built from these). */
export async function insertRating(m: EntityManager, caseId: string, r: RatingEntry): Promise<void> {
  await m.query(
    `INSERT INTO triage.ratings (case_id, stage, rating, rule_ids, reasons, policy_version, rated_by, reason) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    ratingValues(caseId, r),
  );
}

/** A ratings row's values, in the order of insertRating's columns. */
export function ratingValues(caseId: string, r: RatingEntry): unknown[] {
  return [
    caseId,
    r.stage,
    r.rating,
    JSON.stringify(r.ruleIds),
    JSON.stringify(r.reasons),
    r.policyVersion,
    sealName(r.ratedBy),
    sealReason(r.reason ?? null),
  ];
}

/** A revised start rating: higher rating, new revision, the sooner deadline and the merged plan. */
export async function escalateCase(
  m: EntityManager,
  caseId: string,
  x: { rating: Rating; revision: number; deadline: Date; checkPlan: PlanItem[]; ruleIds: string[]; reasons: string[] },
): Promise<void> {
  await m.query(
    `UPDATE triage.cases SET current_rating = $2, revision = $3, deadline = $4, check_plan = $5, rule_ids = $6, reasons = $7, updated_at = now() WHERE case_id = $1`,
    [caseId, x.rating, x.revision, x.deadline, JSON.stringify(x.checkPlan), JSON.stringify(x.ruleIds), JSON.stringify(x.reasons)],
  );
}

/** The rating on the fuller picture at the end of checks, and the (never later) deadline. */
export async function markReady(
  m: EntityManager,
  caseId: string,
  x: { rating: Rating; ruleIds: string[]; reasons: string[]; endedAt: Date; deadline: Date },
): Promise<void> {
  await m.query(
    `UPDATE triage.cases SET end_rating = $2, end_rule_ids = $3, end_reasons = $4, ended_at = $5, state = 'ready', deadline = $6, updated_at = now() WHERE case_id = $1`,
    [caseId, x.rating, JSON.stringify(x.ruleIds), JSON.stringify(x.reasons), x.endedAt, x.deadline],
  );
}

export async function markDecided(
  m: EntityManager,
  caseId: string,
  x: { finalRating: Rating; decisionId: string; ratingChangeReason?: string; decidedBy: string; decidedAt: Date },
): Promise<void> {
  await m.query(
    `UPDATE triage.cases SET final_rating = $2, decision_id = $3, state = 'decided', rating_change_reason = $4, decided_by = $5, decided_at = $6, updated_at = now() WHERE case_id = $1`,
    [caseId, x.finalRating, x.decisionId, sealReason(x.ratingChangeReason ?? null), sealName(x.decidedBy), x.decidedAt],
  );
}

/** The most recent manager override on the case, which a joining report inherits. */
export async function latestOverride(m: EntityManager, caseId: string): Promise<ManagerOverride | undefined> {
  const [o] = await m.query(
    `SELECT recorded_by_name, basis, reason FROM triage.consent_overrides WHERE case_id = $1 ORDER BY recorded_at DESC, override_id DESC LIMIT 1`,
    [caseId],
  );
  return o ? { by: openName(o.recorded_by_name as string), basis: o.basis, reason: openReason(o.reason) } : undefined;
}

export async function overrideRecorded(m: EntityManager, overrideId: string): Promise<boolean> {
  return (await m.query(`SELECT 1 FROM triage.consent_overrides WHERE override_id = $1`, [overrideId])).length > 0;
}

/** The audit row of an override and what it widened, then the case's basis, revision and plan. */
export async function recordOverride(
  m: EntityManager,
  o: ConsentOverride,
  x: { revision: number; planBefore: PlanItem[]; planAdded: PlanItem[]; plan: PlanItem[] },
): Promise<void> {
  await m.query(
    `INSERT INTO triage.consent_overrides (override_id, case_id, recorded_at, recorded_by_name, recorded_by_role, principal, basis, reason, revision, plan_before, plan_added)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      o.overrideId,
      o.caseId,
      o.recordedAt,
      sealName(o.recordedBy.name),
      o.recordedBy.role,
      o.principal,
      o.basis,
      sealReason(o.reason),
      x.revision,
      JSON.stringify(x.planBefore),
      JSON.stringify(x.planAdded),
    ],
  );
  await m.query(`UPDATE triage.cases SET lawful_basis = $2, revision = $3, check_plan = $4, updated_at = now() WHERE case_id = $1`, [
    o.caseId,
    o.basis,
    x.revision,
    JSON.stringify(x.plan),
  ]);
}

/** Cases received in [from, to) counted by start (current) and end rating: counts only, no ids. */
export async function ratingCounts(
  m: EntityManager,
  from?: string,
  to?: string,
): Promise<{ start: Rating; end: Rating | null; n: number }[]> {
  return m.query(
    `SELECT current_rating AS start, end_rating AS "end", count(*)::int AS n FROM triage.cases
      WHERE ($1::timestamptz IS NULL OR received_at >= $1) AND ($2::timestamptz IS NULL OR received_at < $2)
      GROUP BY 1, 2`,
    [from ?? null, to ?? null],
  );
}

/**
 * Cases decided before $1 and not under a legal hold: what retention works through. Not limited to
 * cases not yet anonymised: a duplicate report can join a decided case after it was anonymised, and
 * each step picks rows by the content they still hold, so such a late arrival goes too (the
 * delete-then-mark race, docs/retention.md).
 */
export const PRUNABLE_CASES = `SELECT case_id FROM triage.cases WHERE decided_at < $1 AND NOT ${heldSql('triage', 'triage.cases.case_id')}`;

/** Blanks the free-text reason of overrides on cases past retention (the override itself stays). */
export async function stripOverrideReasons(m: EntityManager, cutoff: Date, batch: number): Promise<number> {
  return affectedRows(
    await m.query(
      `UPDATE triage.consent_overrides SET reason = '' WHERE override_id IN (
       SELECT override_id FROM triage.consent_overrides WHERE reason <> '' AND case_id IN (${PRUNABLE_CASES}) LIMIT $2)`,
      [cutoff, batch],
    ),
  );
}

/**
 * Drops the case's own personal fields and marks it anonymised (which takes it out of retention's
 * work), but only once its contacts, their links to people and its override reasons are gone: a
 * case that became due while the earlier steps ran is left whole for the next run, never marked
 * done with its content still there.
 */
export async function pruneCases(m: EntityManager, cutoff: Date, batch: number): Promise<number> {
  return affectedRows(
    await m.query(
      `UPDATE triage.cases SET household_id = NULL, allocated_worker = NULL, decided_by = NULL, rating_change_reason = NULL, pruned_at = now()
     WHERE case_id IN (
       SELECT c.case_id FROM triage.cases c WHERE c.decided_at < $1 AND c.pruned_at IS NULL AND NOT ${heldSql('triage', 'c.case_id')}
         AND NOT EXISTS (SELECT 1 FROM triage.contacts ct WHERE ct.case_id = c.case_id AND ct.body <> '{}'::jsonb)
         AND NOT EXISTS (SELECT 1 FROM triage.contacts ct JOIN triage.contact_subjects cs USING (contact_id) WHERE ct.case_id = c.case_id)
         AND NOT EXISTS (SELECT 1 FROM triage.consent_overrides o WHERE o.case_id = c.case_id AND o.reason <> '')
       LIMIT $2)`,
      [cutoff, batch],
    ),
  );
}
