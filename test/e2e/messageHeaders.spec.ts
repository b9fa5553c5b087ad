import Ajv from 'ajv';
import { Consumer, Kafka, logLevel } from 'kafkajs';
import { buildAsyncApi } from '@mash/contracts/asyncapi/generate';
import { CHECK_AGENCIES, checkRequestedTopic, TOPICS } from '@mash/contracts';
import { exampleContact } from '@mash/contracts/examples';
import { startTestHub, TEST_TOKENS, TestHub } from '../support/hub';
import { poll } from '../support/topics';
import { kafkaCredentialsFromEnv } from '@mash/messaging';

/**
 * The headers the AsyncAPI document declares are on the records the services really produce
 * (through the outbox relay), and the correlation id it declares is where it says: a check
 * request carries its request id as mash-correlation-id, equal to the envelope's correlationId.
 */
describe('Kafka records carry the headers and correlation id AsyncAPI declares', () => {
  let hub: TestHub;
  let consumer: Consumer;
  const seen: { topic: string; headers: Record<string, string>; envelope: any }[] = [];
  const doc = buildAsyncApi() as any;

  beforeAll(async () => {
    hub = await startTestHub([], {}, { services: ['gateway', 'triage', 'checks'] });
    const prefix = hub.env.MASH_TOPIC_PREFIX;
    const sasl = kafkaCredentialsFromEnv(hub.env);
    const kafka = new Kafka({
      clientId: 'test-headers',
      brokers: hub.env.KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
      ...(sasl ? { sasl } : {}),
    });
    consumer = kafka.consumer({ groupId: `${prefix}test-headers`, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({
      topics: [TOPICS.contactReceived, ...CHECK_AGENCIES.map(checkRequestedTopic)].map((t) => prefix + t),
      fromBeginning: true,
    });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        seen.push({ topic: topic.slice(prefix.length), headers, envelope: JSON.parse(message.value!.toString()) });
      },
    });
  }, 180000);

  afterAll(async () => {
    await consumer?.disconnect();
    await hub?.stop();
  }, 60000);

  it('declares the headers and a correlation id on every message', () => {
    for (const message of Object.values(doc.components.messages) as any[]) {
      expect(message.headers).toEqual({ $ref: '#/components/schemas/EnvelopeHeaders' });
      expect(message.correlationId).toEqual({ $ref: '#/components/correlationIds/request' });
    }
    expect(doc.components.correlationIds.request.location).toBe('$message.header#/mash-correlation-id');
  });

  it('the gateway and checks send them on real records, valid against the declared schema', async () => {
    const res = await fetch(`${hub.gatewayUrl}/v1/agencies/police/contacts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKENS.police}` },
      body: JSON.stringify({ ...exampleContact, agencyReference: `HDR-${hub.runId}` }),
    });
    expect(res.status).toBe(202);
    const { contactId } = (await res.json()) as { contactId: string };
    const received = await poll(
      async () => seen.find((s) => s.topic === TOPICS.contactReceived && s.envelope.data.contactId === contactId),
      60000,
      'contact received',
    );
    // The only contact of this run (its own topic prefix): its first check request.
    const request = await poll(async () => seen.find((s) => s.topic !== TOPICS.contactReceived), 90000, 'a check request');

    const validate = new Ajv({ strict: false }).compile(doc.components.schemas.EnvelopeHeaders);
    for (const record of [received, request]) {
      expect(validate(record.headers) ? [] : validate.errors).toEqual([]);
      expect(record.headers).toMatchObject({
        'content-type': 'application/json',
        'mash-message-id': record.envelope.id,
        'mash-message-type': record.topic,
      });
    }
    expect(received.headers['mash-correlation-id']).toBeUndefined();
    expect(request.envelope.correlationId).toEqual(expect.any(String));
    expect(request.headers['mash-correlation-id']).toBe(request.envelope.correlationId);
  }, 150000);
});
