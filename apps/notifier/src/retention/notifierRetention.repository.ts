import { heldSql, RetentionStep } from '@mash/platform';
import { affectedRows } from '@mash/at-rest';

/**
 * The notifier drops what it said and to whom, person by person: notice bodies and channels (a
 * channel can be a practitioner's email) and the referrers' contact details. It keeps each notice's
 * row (kind, recipient organisation, status, attempts, times: delivery statistics) and the delivery
 * receipts. A notice still pending keeps its body, or it could never be delivered.
 */
const decidedBefore = `SELECT d.case_id FROM notifier.decisions d WHERE NOT ${heldSql('notifier', 'd.case_id')} GROUP BY d.case_id HAVING min(d.published_at) < $1`;

export const NOTIFIER_RETENTION: RetentionStep[] = [
  {
    table: 'notices',
    // The status is tested again on the row as the UPDATE locks it: the subquery reads a snapshot,
    // and a replay may have put a dead-lettered notice back to pending since, which must keep its body.
    run: async (m, cutoff, batch) =>
      affectedRows(
        await m.query(
          `UPDATE notifier.notices SET body = '{}'::jsonb, channel = '{}'::jsonb, pruned_at = now()
         WHERE pruned_at IS NULL AND status <> 'pending' AND notice_id IN (
           SELECT notice_id FROM notifier.notices WHERE pruned_at IS NULL AND status <> 'pending' AND case_id IN (${decidedBefore}) LIMIT $2)`,
          [cutoff, batch],
        ),
      ),
  },
  {
    // Only the referrer's row goes: the contact-to-case link stays, so a late contactReceived
    // replay for this case is still recognised as belonging to a decided case.
    table: 'referrers',
    run: async (m, cutoff, batch) =>
      affectedRows(
        await m.query(
          `DELETE FROM notifier.referrers WHERE contact_id IN (
           SELECT r.contact_id FROM notifier.referrers r JOIN notifier.case_contacts c ON c.contact_id = r.contact_id
           WHERE c.case_id IN (${decidedBefore}) LIMIT $2)`,
          [cutoff, batch],
        ),
      ),
  },
];
