import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadPolicyFromEnv } from '@mash/policy';
import { affected, RetentionJob, RetentionStep } from '@mash/platform';

/**
 * A decided case's content in the gateway, once the decision is older than the retention period.
 * Kept: contact_status (stage, timestamps, rating, outcomes: how contacts moved, what the board and
 * reports count), board_agency_status (times and flags only), the contact's source agency and
 * reference (the idempotency key: a re-sent contact must stay one contact, not start a new case),
 * the decision's row minus its body, and disclosure_audit (who saw what: the audit outlives content).
 * An undecided case keeps everything: the hub never closes a case on its own.
 */
const decidedBefore = `SELECT d.case_id FROM gateway.decisions d WHERE d.recorded_at < $1`;

export const GATEWAY_RETENTION: RetentionStep[] = [
  {
    // The referral as the agency sent it: names, addresses, what happened.
    table: 'contacts',
    run: async (m, cutoff, batch) =>
      affected(await m.query(
        `UPDATE gateway.contacts SET body = '{}'::jsonb, pruned_at = now() WHERE contact_id IN (
           SELECT c.contact_id FROM gateway.contacts c JOIN gateway.contact_status s ON s.contact_id = c.contact_id
           WHERE c.pruned_at IS NULL AND s.case_id IN (${decidedBefore}) LIMIT $2)`,
        [cutoff, batch],
      )),
  },
  {
    // The multi-agency chronology shown to the decision maker; replied/missing (agency names) stay.
    table: 'cases',
    run: async (m, cutoff, batch) =>
      affected(await m.query(
        `UPDATE gateway.cases SET chronology = '[]'::jsonb, pruned_at = now() WHERE case_id IN (
           SELECT case_id FROM gateway.cases WHERE pruned_at IS NULL AND case_id IN (${decidedBefore}) LIMIT $2)`,
        [cutoff, batch],
      )),
  },
  {
    // The decision's text (next steps, dissent, the decision maker's name) went to the case record.
    table: 'decisions',
    run: async (m, cutoff, batch) =>
      affected(await m.query(
        `UPDATE gateway.decisions SET body = '{}'::jsonb, pruned_at = now() WHERE decision_id IN (
           SELECT decision_id FROM gateway.decisions WHERE pruned_at IS NULL AND recorded_at < $1 LIMIT $2)`,
        [cutoff, batch],
      )),
  },
  {
    // Rejected input never became a case: it goes the same period after receipt, row and all.
    table: 'quarantine',
    run: async (m, cutoff, batch) =>
      affected(await m.query(
        `DELETE FROM gateway.quarantine WHERE id IN (SELECT id FROM gateway.quarantine WHERE received_at < $1 LIMIT $2)`,
        [cutoff, batch],
      )),
  },
];

@Injectable()
export class GatewayRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly job: RetentionJob;
  constructor(ds: DataSource) {
    this.job = new RetentionJob(ds, 'gateway', loadPolicyFromEnv().retention.mashRecordMonths, GATEWAY_RETENTION);
  }
  onApplicationBootstrap(): void {
    this.job.start();
  }
  async onApplicationShutdown(): Promise<void> {
    await this.job.stop();
  }
}
