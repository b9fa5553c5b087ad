/**
 * Kafka retention under the locality's policy, on the real broker: provisioning (the step
 * `npm start`, the test hub and `npm run kafka:provision` run) sets every topic that carries case
 * content to keep it no longer than the policy's retention period, topics created before with a
 * longer one included, and dead letters shorter still (docs/retention.md). Read back with
 * DescribeConfigs, as the broker applies it.
 */
import { randomBytes } from 'node:crypto';
import { ConfigResourceTypes } from 'kafkajs';
import { TOPIC_DEFINITIONS, TOPICS, topicsUnderRetention } from '@mash/contracts';
import { credentialsOf, KafkaPort, loadKafkaPrincipals, provisionKafka } from '@mash/messaging';
import { loadPolicy, repoRoot } from '@mash/policy';
import { join } from 'node:path';
import { dropRunState } from '../scripts/runState';

const file = process.env.MASH_KAFKA_PRINCIPALS;
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const runId = `kr${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const prefix = `${runId}.`;
const DAY = 24 * 3600 * 1000;

describe('Kafka retention follows the policy', () => {
  let port: KafkaPort;
  const london = loadPolicy(join(repoRoot(), 'policies', 'london.json')).retention.mashRecordMonths;

  beforeAll(() => {
    port = new KafkaPort({
      brokers: BROKERS,
      clientId: 'retention-test',
      prefix,
      ...(file ? { sasl: credentialsOf(loadKafkaPrincipals(file), 'admin') } : {}),
    });
  });

  afterAll(async () => {
    await port?.close();
    await dropRunState(runId, process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', BROKERS.join(','));
  });

  async function configs(): Promise<Map<string, Record<string, string>>> {
    const admin = await port.adminClient();
    const out = new Map<string, Record<string, string>>();
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: TOPIC_DEFINITIONS.map((d) => ({
        type: ConfigResourceTypes.TOPIC,
        name: prefix + d.name,
        configNames: ['retention.ms', 'segment.ms', 'cleanup.policy'],
      })),
    });
    for (const r of resources)
      out.set(r.resourceName.slice(prefix.length), Object.fromEntries(r.configEntries.map((e) => [e.configName, e.configValue])));
    return out;
  }

  it('sets every case topic, created earlier for 400 days, to within the policy; dead letters two weeks; audit heads for ever', async () => {
    // A service started first and created the topics with the definitions' own (longer) retention.
    await port.ensureTopics(TOPIC_DEFINITIONS);
    expect((await configs()).get(TOPICS.caseRated)!['retention.ms']).toBe(String(400 * DAY));

    await provisionKafka(port, topicsUnderRetention(london));
    const got = await configs();
    expect(got.size).toBe(TOPIC_DEFINITIONS.length);
    const limit = london * 28 * DAY; // the shortest `london` calendar months can be
    const over: string[] = [];
    for (const d of TOPIC_DEFINITIONS) {
      const c = got.get(d.name)!;
      if (!d.caseContent) continue;
      // A message can outlive retention.ms by one segment (the broker deletes whole segments).
      if (Number(c['retention.ms']) + Number(c['segment.ms']) > limit) over.push(`${d.name} ${c['retention.ms']}+${c['segment.ms']}`);
    }
    expect(over).toEqual([]);
    expect(got.get(TOPICS.caseReady)).toEqual({
      'retention.ms': String(limit - DAY),
      'segment.ms': String(DAY),
      'cleanup.policy': 'delete',
    });
    expect(Number(got.get(TOPICS.deadLetter)!['retention.ms'])).toBe(14 * DAY);
    expect(got.get(TOPICS.auditHead)!['retention.ms']).toBe('-1');
    expect(got.get(TOPICS.legalHold)!['retention.ms']).toBe('-1');
  }, 120000);

  it('shortens existing topics again when the policy shortens (a fraction of a month, as tests run it)', async () => {
    await provisionKafka(port, topicsUnderRetention(0.001));
    const got = await configs();
    const limit = Math.floor(0.001 * 28 * DAY);
    for (const name of [TOPICS.contactReceived, TOPICS.deadLetter, TOPICS.noticeDelivered]) {
      const c = got.get(name)!;
      expect({ name, within: Number(c['retention.ms']) + Number(c['segment.ms']) <= limit }).toEqual({ name, within: true });
    }
    expect(got.get(TOPICS.auditHead)!['retention.ms']).toBe('-1');
  }, 120000);
});
