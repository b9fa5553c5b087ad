import { randomBytes } from 'node:crypto';
import { CheckReplied, checkRepliedTopic, checkRequestedTopic } from '@mash/contracts';
import { KafkaPort, Received } from '@mash/messaging/standalone';
import { dropRunState } from '../../../scripts/runState';
import { defineConnector } from './connector';
import { serveConnector } from './serve';
import { checkRequestFor } from './testing';

/**
 * A connector process on real Kafka: requests that wait when it starts are answered as a run, in a
 * handful of sends instead of one send (and one offset commit) per request, and every request
 * still gets its own reply.
 */
jest.setTimeout(120_000);

const runId = `k${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
const prefix = `${runId}.`;
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const env = { ...process.env, MASH_TOPIC_PREFIX: prefix, CONNECTOR_PORT: '0', CONNECTOR_BEHAVIOUR: 'normal' };
const stops: (() => Promise<void>)[] = [];
let port: KafkaPort;

const police = defineConnector({
  agency: 'police',
  lookup: async (request) => ({
    known: true,
    entries: [{ date: '2026-11-01', category: 'history', summary: `seen about ${request.requestId}` }],
  }),
});

beforeAll(async () => {
  port = new KafkaPort({ brokers, clientId: 'serve-spec', prefix });
  await port.ensureTopics();
});

afterAll(async () => {
  for (const s of stops.reverse()) await s().catch(() => undefined);
  await port.close();
  await dropRunState(runId, adminUrl, brokers.join(','));
});

it('answers requests that wait for it as a run: every request its reply, in a few sends', async () => {
  const n = 40;
  // One case: one partition, so the connector finds the forty in one fetch.
  const requests = Array.from({ length: n }, (_, i) =>
    checkRequestFor('police', [{ subjectId: 'P1', kind: 'child', givenName: 'Ann', familyName: 'Lee' }], ['history'], {
      requestId: `req-${i}`,
      caseId: 'case-run',
    }),
  );
  await port.publish(requests.map((r) => ({ topic: checkRequestedTopic('police'), key: r.caseId, data: r, correlationId: r.requestId })));

  const sends = jest.spyOn(KafkaPort.prototype, 'sendRaw');
  stops.push(await serveConnector(police, env));

  const replies: Received[] = [];
  const sub = await port.subscribe({
    group: 'reply-reader',
    topics: [checkRepliedTopic('police')],
    handle: async (m) => void replies.push(m),
  });
  stops.push(() => sub.stop());
  const deadline = Date.now() + 60_000;
  while (new Set(replies.map((r) => (r.envelope.data as CheckReplied).requestId)).size < n && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));

  const byRequest = new Map(replies.map((r) => [(r.envelope.data as CheckReplied).requestId, r.envelope]));
  expect([...byRequest.keys()].sort()).toEqual(requests.map((r) => r.requestId).sort());
  for (const [requestId, envelope] of byRequest) {
    expect(envelope.correlationId).toBe(requestId);
    expect((envelope.data as CheckReplied).entries).toEqual([
      { date: '2026-11-01', category: 'history', summary: `seen about ${requestId}` },
    ]);
  }
  // One by one this was forty sends; kafkajs may split what waits over a couple of fetches.
  const connectorSends = sends.mock.contexts.filter((c) => c !== port).length;
  expect(connectorSends).toBeGreaterThanOrEqual(1);
  expect(connectorSends).toBeLessThanOrEqual(4);
  sends.mockRestore();
});
