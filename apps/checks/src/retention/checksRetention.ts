import { Controller, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { DataSource } from 'typeorm';
import { DecisionRecorded, TOPICS } from '@mash/contracts';
import { MessageContext } from '@mash/messaging';
import { Policy } from '@mash/policy';
import { RetentionJob, RetentionStep } from '@mash/platform';
import { CasesRepository } from '../cases/cases.repository';
import { RepliesRepository } from '../picture/replies.repository';
import { InjectPolicy } from '../policy.provider';

/**
 * Checks drops what agencies said: the reply rows with their bodies. It keeps the case row and the
 * requests (which agency was asked for which categories, when, when it replied, whether late):
 * response-time statistics per agency come from these, and none holds case content. Timers and
 * alerts hold times, agencies and validation reasons only, and stay. A request keeps replied_at,
 * so the agency still counts as having replied if the case is ever looked at again.
 *
 * Cases are marked pruned first, under their row locks, and then their replies go: a reply that
 * lands meanwhile either committed before the mark (and is deleted with the rest) or finds the
 * case pruned and keeps no content (RequestsService.collect). Deleting first and marking after
 * left the body of a reply that landed between the two for ever.
 */
export function checksRetentionSteps(cases = new CasesRepository(), replies = new RepliesRepository()): RetentionStep[] {
  return [
    { table: 'cases', run: (m, cutoff, batch) => cases.prune(m, cutoff, batch) },
    { table: 'replies', run: (m, _cutoff, batch) => replies.deleteOfPrunedCases(m, batch) },
  ];
}

/** When each case was decided: the clock retention runs from. The first decision counts. */
@Controller()
export class DecisionsHandlers {
  constructor(private readonly cases: CasesRepository) {}

  @EventPattern(TOPICS.decisionRecorded)
  onDecision(@Payload() e: DecisionRecorded, @Ctx() ctx: MessageContext) {
    return this.cases.markDecided(ctx.manager, e.caseId, new Date(e.decidedAt));
  }
}

@Injectable()
export class ChecksRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly job: RetentionJob;
  constructor(ds: DataSource, @InjectPolicy() policy: Policy, cases: CasesRepository, replies: RepliesRepository) {
    this.job = new RetentionJob(ds, 'checks', policy.retention.mashRecordMonths, checksRetentionSteps(cases, replies));
  }
  onApplicationBootstrap(): void {
    this.job.start();
  }
  async onApplicationShutdown(): Promise<void> {
    await this.job.stop();
  }
}
