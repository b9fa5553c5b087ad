import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadPolicyFromEnv } from '@mash/policy';
import { RetentionJob } from '@mash/platform';
import { NOTIFIER_RETENTION } from './notifierRetention.repository';

export { NOTIFIER_RETENTION };

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
