import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadPolicyFromEnv } from '@mash/policy';
import { affected, RetentionJob, RetentionStep } from '@mash/platform';

/**
 * The notifier drops what it said and to whom, person by person: notice bodies and channels (a
 * channel can be a practitioner's email) and the referrers' contact details. It keeps each notice's
 * row (kind, recipient organisation, status, attempts, times: delivery statistics) and the delivery
 * receipts. A notice still pending keeps its body, or it could never be delivered.
 */
const decidedBefore = `SELECT case_id FROM notifier.decisions GROUP BY case_id HAVING min(published_at) < $1`;

export const NOTIFIER_RETENTION: RetentionStep[] = [
  {
    table: 'notices',
    run: async (m, cutoff, batch) =>
      affected(await m.query(
        `UPDATE notifier.notices SET body = '{}'::jsonb, channel = '{}'::jsonb, pruned_at = now() WHERE notice_id IN (
           SELECT notice_id FROM notifier.notices WHERE pruned_at IS NULL AND status <> 'pending' AND case_id IN (${decidedBefore}) LIMIT $2)`,
        [cutoff, batch],
      )),
  },
  {
    // Only the referrer's row goes: the contact-to-case link stays, so a late contactReceived
    // replay for this case is still recognised as belonging to a decided case.
    table: 'referrers',
    run: async (m, cutoff, batch) =>
      affected(await m.query(
        `DELETE FROM notifier.referrers WHERE contact_id IN (
           SELECT r.contact_id FROM notifier.referrers r JOIN notifier.case_contacts c ON c.contact_id = r.contact_id
           WHERE c.case_id IN (${decidedBefore}) LIMIT $2)`,
        [cutoff, batch],
      )),
  },
];

@Injectable()
export class NotifierRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly job: RetentionJob;
  constructor(ds: DataSource) {
    this.job = new RetentionJob(ds, 'notifier', loadPolicyFromEnv().retention.mashRecordMonths, NOTIFIER_RETENTION);
  }
  onApplicationBootstrap(): void {
    this.job.start();
  }
  async onApplicationShutdown(): Promise<void> {
    await this.job.stop();
  }
}
