import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CaseRated, CaseReady, CheckAgency, CheckChased, CheckReplied } from '@mash/contracts';

/**
 * Keeps gateway.board_agency_status from the events that say where each agency's reply stands.
 * The events come from several topics in no fixed order (a reply can be handled before the rating
 * that planned it), so every write is an upsert of its own columns only and the order does not
 * matter. Writes run in the handler's transaction, with the inbox, so a redelivery changes nothing.
 */
@Injectable()
export class BoardProjection {
  /** The check plan: which agencies are asked, and by when. Only the first rating plans checks. */
  async rated(e: CaseRated, m: EntityManager): Promise<void> {
    if (e.stage !== 'start' || e.checkPlan.length === 0) return;
    await m.query(
      `INSERT INTO gateway.board_agency_status (case_id, agency, due_at)
       SELECT $1, t.agency, t.due_at::timestamptz FROM unnest($2::text[], $3::text[]) AS t(agency, due_at)
       ON CONFLICT (case_id, agency) DO UPDATE SET due_at = EXCLUDED.due_at, updated_at = now()`,
      [e.caseId, e.checkPlan.map((p) => p.agency), e.checkPlan.map((p) => p.dueAt)],
    );
  }

  /** Readiness, and each revision after it: who replied, who is missing, who was late. */
  async ready(e: CaseReady, m: EntityManager): Promise<void> {
    const after = e.repliedAfterReady ?? [];
    const late = new Set<CheckAgency>([...(e.late ?? []), ...after]);
    const agencies = [...new Set<CheckAgency>([...e.replied, ...e.missing, ...late])];
    if (agencies.length === 0) return;
    const missing = new Set(e.missing.filter((a) => !after.includes(a)));
    await m.query(
      `INSERT INTO gateway.board_agency_status (case_id, agency, missing, late)
       SELECT $1, t.agency, t.missing, t.late FROM unnest($2::text[], $3::boolean[], $4::boolean[]) AS t(agency, missing, late)
       ON CONFLICT (case_id, agency) DO UPDATE SET missing = EXCLUDED.missing,
         late = gateway.board_agency_status.late OR EXCLUDED.late, updated_at = now()`,
      [e.caseId, agencies, agencies.map((a) => missing.has(a)), agencies.map((a) => late.has(a))],
    );
  }

  /** Reminders to the agency, escalations to the manager, and replies refused as malformed. */
  async chased(e: CheckChased, m: EntityManager): Promise<void> {
    const reminder = e.kind === 'reminder' ? 1 : 0;
    const refused = e.kind === 'malformed-reply' ? 1 : 0;
    await m.query(
      `INSERT INTO gateway.board_agency_status AS s (case_id, agency, request_id, due_at, reminders, last_reminded_at, escalated_at, refused_replies)
       VALUES ($1, $2, $3, $4::timestamptz, $5::int, CASE WHEN $5::int > 0 THEN $6::timestamptz END, CASE WHEN $7::boolean THEN $6::timestamptz END, $8::int)
       ON CONFLICT (case_id, agency) DO UPDATE SET
         request_id = COALESCE(s.request_id, EXCLUDED.request_id),
         due_at = COALESCE(s.due_at, EXCLUDED.due_at),
         reminders = s.reminders + EXCLUDED.reminders,
         last_reminded_at = GREATEST(s.last_reminded_at, EXCLUDED.last_reminded_at),
         escalated_at = LEAST(s.escalated_at, EXCLUDED.escalated_at),
         refused_replies = s.refused_replies + EXCLUDED.refused_replies,
         updated_at = now()`,
      [e.caseId, e.agency, e.requestId, e.dueAt, reminder, e.at, e.kind === 'escalation', refused],
    );
  }

  /**
   * A reply arrived. Only that it came, when, and whether the agency knew the family: never its
   * entries, which are the checks service's to keep and the decision maker's to read.
   */
  async replied(agency: CheckAgency, e: Pick<CheckReplied, 'caseId' | 'requestId' | 'repliedAt' | 'known'>, m: EntityManager): Promise<void> {
    await m.query(
      `INSERT INTO gateway.board_agency_status AS s (case_id, agency, request_id, replied_at, known)
       VALUES ($1, $2, $3, $4::timestamptz, $5::boolean)
       ON CONFLICT (case_id, agency) DO UPDATE SET
         request_id = COALESCE(s.request_id, EXCLUDED.request_id),
         replied_at = LEAST(s.replied_at, EXCLUDED.replied_at),
         known = COALESCE(s.known, EXCLUDED.known),
         updated_at = now()`,
      [e.caseId, agency, e.requestId, e.repliedAt, e.known],
    );
  }
}
