import { Controller, Get, Header, HttpException, HttpStatus } from '@nestjs/common';
import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import { KafkaPort } from '@mash/messaging';

/** /health/live: the process runs. /health/ready: Postgres and Kafka answer. /metrics: Prometheus. */
@Controller()
export class HealthController {
  private kafkaCheckedAt = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly port: KafkaPort,
  ) {}

  @Get('health/live')
  live() {
    return { status: 'ok' };
  }

  @Get('health/ready')
  async ready() {
    const checks: Record<string, string> = {};
    try {
      await this.dataSource.query('SELECT 1');
      checks.database = 'ok';
    } catch {
      checks.database = 'down';
    }
    try {
      // A readiness probe every few seconds should not become a metadata storm on the broker.
      if (Date.now() - this.kafkaCheckedAt > 5000) {
        await (await this.port.adminClient()).describeCluster();
        this.kafkaCheckedAt = Date.now();
      }
      checks.kafka = 'ok';
    } catch {
      checks.kafka = 'down';
    }
    const ok = Object.values(checks).every((v) => v === 'ok');
    if (!ok) throw new HttpException({ status: 'not-ready', checks }, HttpStatus.SERVICE_UNAVAILABLE);
    return { status: 'ready', checks };
  }

  @Get('metrics')
  @Header('Content-Type', register.contentType)
  metrics() {
    return register.metrics();
  }
}
