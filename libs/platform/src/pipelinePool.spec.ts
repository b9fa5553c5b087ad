import { randomBytes } from 'node:crypto';
import { Controller, INestApplication, Module } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Client } from 'pg';
import { DataSource, QueryRunner } from 'typeorm';
import { CaseRated, TOPICS } from '@mash/contracts';
import { validExamples } from '@mash/contracts/examples';
import { KafkaPort, MessageContext, outboxEnvelopes } from '@mash/messaging';
import { dropRunState } from '../../../scripts/runState';
import { runService } from './run';
import { PreparingClient } from './preparedStatements';
import { PIPELINE_DATA_SOURCE, ServiceModule } from './service.module';

/**
 * A service whose HTTP side holds every connection of its main pool (a burst of requests) still
 * handles its messages and relays its outbox: the pipeline has connections of its own
 * (service.module.ts, PIPELINE_DATA_SOURCE). On real Kafka and Postgres.
 */
jest.setTimeout(120_000);

const schema = 'pipetest';
const runId = `p${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const prefix = `${runId}.`;
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const dbUrl = new URL(adminUrl);
dbUrl.pathname = `/mash_${runId}`;
const saved = { DATABASE_URL: process.env.DATABASE_URL, MASH_TOPIC_PREFIX: process.env.MASH_TOPIC_PREFIX };

@Controller()
class RatedHandler {
  @EventPattern(TOPICS.caseRated)
  async onRated(@Payload() e: CaseRated, @Ctx() ctx: MessageContext): Promise<void> {
    await ctx.manager.query(`INSERT INTO ${schema}.seen (case_id) VALUES ($1)`, [e.caseId]);
    await ctx.publish({ topic: TOPICS.caseReady, key: e.caseId, data: { ...validExamples.caseReady, caseId: e.caseId } });
  }
}

@Module({ imports: [ServiceModule.forService({ name: 'pipetest', schema })], controllers: [RatedHandler] })
class PipeTestModule {}

let app: INestApplication | undefined;
let port: KafkaPort;
const held: QueryRunner[] = [];

beforeAll(async () => {
  process.env.DATABASE_URL = dbUrl.toString();
  process.env.MASH_TOPIC_PREFIX = prefix;
  port = new KafkaPort({ brokers: brokers.split(','), clientId: 'pipetest-spec', prefix });
  await port.ensureTopics();
  app = await runService(PipeTestModule, { name: 'pipetest', schema, port: 0 });
  await app.get(DataSource).query(`CREATE TABLE ${schema}.seen (case_id text PRIMARY KEY)`);
});

afterAll(async () => {
  for (const qr of held) await qr.release().catch(() => undefined);
  await app?.close();
  Object.assign(process.env, saved);
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
  await port.close();
  await dropRunState(runId, adminUrl, brokers);
});

it('handles messages and relays events while requests hold every connection of the main pool', async () => {
  const main = app!.get(DataSource);
  const poolSize = (main.options.extra as { max: number }).max;
  // Each holds a connection in an open transaction, as requests waiting on a slow read would.
  for (let i = 0; i < poolSize; i++) {
    const qr = main.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    held.push(qr);
  }
  // The main pool is exhausted: one more request waits.
  const waiting = Promise.race([main.query('SELECT 1').then(() => 'served'), new Promise((r) => setTimeout(() => r('waiting'), 500))]);
  expect(await waiting).toBe('waiting');

  const caseId = `CS-${runId}`;
  await port.publish([{ topic: TOPICS.caseRated, key: caseId, data: { ...validExamples.caseRated, caseId } }]);

  const observer = new Client({ connectionString: dbUrl.toString() });
  await observer.connect();
  try {
    const deadline = Date.now() + 60_000;
    let relayed = false;
    while (!relayed && Date.now() < deadline) {
      const envs = await outboxEnvelopes(observer, schema, { topic: TOPICS.caseReady, key: caseId });
      const sent = await observer.query(`SELECT count(*)::int AS n FROM ${schema}.outbox WHERE key = $1 AND published_at IS NOT NULL`, [
        caseId,
      ]);
      relayed = envs.length === 1 && sent.rows[0].n === 1;
      if (!relayed) await new Promise((r) => setTimeout(r, 200));
    }
    expect(relayed).toBe(true);
    const seen = await observer.query(`SELECT case_id FROM ${schema}.seen`);
    expect(seen.rows).toEqual([{ case_id: caseId }]);
  } finally {
    await observer.end();
  }
});

it('prepares statements on both pools, and names the pipeline in Postgres', async () => {
  const main = app!.get(DataSource);
  const pipeline = app!.get<DataSource>(PIPELINE_DATA_SOURCE);
  const extra = (ds: DataSource) => ds.options.extra as { Client: unknown; max: number; application_name: string };
  expect(extra(main).Client).toBe(PreparingClient);
  expect(extra(pipeline).Client).toBe(PreparingClient);
  expect(extra(pipeline).max).toBe(5);
  const [{ name }] = await pipeline.query(`SELECT current_setting('application_name') AS name`);
  expect(name).toBe('mash-pipetest-pipeline');
});
