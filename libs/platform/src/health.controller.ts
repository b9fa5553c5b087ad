import { Controller, Get, HttpException, HttpStatus, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { problem, PROBLEM_MEDIA_TYPE } from '@mash/contracts';
import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import { KafkaPort } from '@mash/messaging';
import { calendarWarning } from './calendarWarning';
import { metricsCredential } from './metricsCredential';
import { databaseAnswers } from './health.repository';

/**
 * /health/live: the process runs. /health/ready: Postgres and Kafka answer, with warnings an
 * operator must act on although the service is ready (a calendar running out). /metrics: Prometheus.
 */
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
      await databaseAnswers(this.dataSource);
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
    const warning = calendarWarning();
    const warnings = warning ? { warnings: [warning] } : {};
    if (!ok) throw new HttpException({ status: 'not-ready', checks, ...warnings }, HttpStatus.SERVICE_UNAVAILABLE);
    return { status: 'ready', checks, ...warnings };
  }

  /** Behind the metrics credential (libs/platform/src/metricsCredential.ts). */
  @Get('metrics')
  async metrics(@Req() req: Request, @Res() res: Response) {
    if (!metricsCredential().allows(req.headers.authorization)) {
      res.status(401).set({ 'content-type': PROBLEM_MEDIA_TYPE, 'www-authenticate': 'Bearer realm="metrics"' });
      res.send(JSON.stringify(problem(401, 'metrics need the ops metrics token as a bearer token', { instance: '/metrics' })));
      return;
    }
    res
      .status(200)
      .set('content-type', register.contentType)
      .send(await register.metrics());
  }
}
