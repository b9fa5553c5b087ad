import { heldSql, RetentionStep } from '@mash/platform';
import { affectedRows } from '@mash/at-rest';

/**
 * A decided case's content in the gateway, once the decision is older than the retention period.
 * Kept: contact_status (stage, timestamps, rating, outcomes: how contacts moved, what the board and
 * reports count), board_agency_status (times and flags only), the contact's source agency and
 * reference (the idempotency key: a re-sent contact must stay one contact, not start a new case),
 * the decision's row minus its body, and disclosure_audit (who saw what: the audit outlives content).
 * An undecided case keeps everything: the hub never closes a case on its own.
 */
const decidedBefore = `SELECT d.case_id FROM gateway.decisions d WHERE d.recorded_at < $1 AND NOT ${heldSql('gateway', 'd.case_id')}`;

/*
 * Each step picks rows by the content they still hold, never by pruned_at alone: a case-ready or
 * rating that arrives after a run (a late reply revises the picture of a decided case) writes
 * content back into a row already marked pruned, and a step that skipped marked rows kept that
 * content for ever (the delete-then-mark race, docs/retention.md). pruned_at records the first strip.
 */

export const GATEWAY_RETENTION: RetentionStep[] = [
  {
    // The referral as the agency sent it: names, addresses, what happened.
    table: 'contacts',
    run: async (m, cutoff, batch) =>
      affectedRows(
        await m.query(
          `UPDATE gateway.contacts SET body = '{}'::jsonb, pruned_at = COALESCE(pruned_at, now()) WHERE contact_id IN (
           SELECT c.contact_id FROM gateway.contacts c JOIN gateway.contact_status s ON s.contact_id = c.contact_id
           WHERE c.body <> '{}'::jsonb AND s.case_id IN (${decidedBefore}) LIMIT $2)`,
          [cutoff, batch],
        ),
      ),
  },
  {
    // The multi-agency chronology and the rating's reasons (which can quote the case) shown to the
    // decision maker; replied/missing (agency names) and the rules fired stay.
    table: 'cases',
    run: async (m, cutoff, batch) =>
      affectedRows(
        await m.query(
          `UPDATE gateway.cases SET chronology = '[]'::jsonb, rating_start = rating_start - 'reasons', rating_end = rating_end - 'reasons', pruned_at = COALESCE(pruned_at, now()) WHERE case_id IN (
           SELECT case_id FROM gateway.cases
           WHERE (chronology <> '[]'::jsonb OR COALESCE(rating_start ? 'reasons', false) OR COALESCE(rating_end ? 'reasons', false))
             AND case_id IN (${decidedBefore}) LIMIT $2)`,
          [cutoff, batch],
        ),
      ),
  },
  {
    // The decision's text (next steps, dissent, the decision maker's name) went to the case record.
    table: 'decisions',
    run: async (m, cutoff, batch) =>
      affectedRows(
        await m.query(
          `UPDATE gateway.decisions SET body = '{}'::jsonb, pruned_at = COALESCE(pruned_at, now()) WHERE decision_id IN (
           SELECT d.decision_id FROM gateway.decisions d WHERE d.body <> '{}'::jsonb AND d.recorded_at < $1 AND NOT ${heldSql('gateway', 'd.case_id')} LIMIT $2)`,
          [cutoff, batch],
        ),
      ),
  },
  {
    // Rejected input never became a case: it goes the same period after receipt, row and all.
    table: 'quarantine',
    run: async (m, cutoff, batch) =>
      affectedRows(
        await m.query(`DELETE FROM gateway.quarantine WHERE id IN (SELECT id FROM gateway.quarantine WHERE received_at < $1 LIMIT $2)`, [
          cutoff,
          batch,
        ]),
      ),
  },
];
