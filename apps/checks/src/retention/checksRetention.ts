import { Controller, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import { DecisionRecorded, TOPICS } from '@mash/contracts';
import { MessageContext } from '@mash/messaging';
import { loadPolicyFromEnv } from '@mash/policy';
import { affected, RetentionJob, RetentionStep } from '@mash/platform';

/**
 * Checks drops what agencies said: the reply rows with their bodies. It keeps the case row and the
 * requests (which agency was asked for which categories, when, when it replied, whether late):
 * response-time statistics per agency come from these, and none holds case content. Timers and
 * alerts hold times, agencies and validation reasons only, and stay. A request keeps replied_at,
 * so the agency still counts as having replied if the case is ever looked at again.
 */
const due = `SELECT case_id FROM checks.cases WHERE decided_at < $1 AND pruned_at IS NULL`;

export const CHECKS_RETENTION: RetentionStep[] = [
  {
    table: 'replies',
    run: async (m, cutoff, batch) =>
      affected(await m.query(
        `DELETE FROM checks.replies WHERE request_id IN (SELECT request_id FROM checks.replies WHERE case_id IN (${due}) LIMIT $2)`,
        [cutoff, batch],
      )),
  },
  {
    table: 'cases',
    run: async (m, cutoff, batch) =>
      affected(await m.query(`UPDATE checks.cases SET pruned_at = now() WHERE case_id IN (${due} LIMIT $2)`, [cutoff, batch])),
  },
];

/** When each case was decided: the clock retention runs from. The first decision counts. */
@Controller()
export class DecisionsHandlers {
  @EventPattern(TOPICS.decisionRecorded)
  onDecision(@Payload() e: DecisionRecorded, @Ctx() ctx: MessageContext) {
    return ctx.manager.query(`UPDATE checks.cases SET decided_at = $2 WHERE case_id = $1 AND decided_at IS NULL`, [e.caseId, e.decidedAt]);
  }
}

@Injectable()
export class ChecksRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly job: RetentionJob;
  constructor(ds: DataSource) {
    this.job = new RetentionJob(ds, 'checks', loadPolicyFromEnv().retention.mashRecordMonths, CHECKS_RETENTION);
  }
  onApplicationBootstrap(): void {
    this.job.start();
  }
  async onApplicationShutdown(): Promise<void> {
    await this.job.stop();
  }
}
