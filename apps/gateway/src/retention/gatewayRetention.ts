import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadPolicyFromEnv } from '@mash/policy';
import { RetentionJob } from '@mash/platform';
import { GATEWAY_RETENTION } from './gatewayRetention.repository';

export { GATEWAY_RETENTION };

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
