/**
 * Kafka authentication and authorisation on the real broker: SASL/SCRAM-SHA-512 on the client
 * listener, the StandardAuthorizer with no ACL meaning no access, and the grants of
 * libs/contracts/src/acl.ts installed by the provisioning step for this run's prefix.
 *
 * Needs a broker with users (infra/kafka.sh's default): the global setup names its principals file
 * in MASH_KAFKA_PRINCIPALS. Against an open broker there is nothing to prove, and it says it skipped.
 */
import { randomBytes } from 'node:crypto';
import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes } from 'kafkajs';
import { checkRepliedTopic, checkRequestedTopic, contactInboundTopic, KAFKA_PRINCIPALS, TOPICS } from '@mash/contracts';
import { exampleContact, validExamples } from '@mash/contracts/examples';
import {
  aclEntries,
  credentialsOf,
  KafkaCredentials,
  KafkaPort,
  KafkaPrincipals,
  loadKafkaPrincipals,
  provisionKafka,
  Received,
} from '@mash/messaging';
import { dropRunState } from '../scripts/runState';
import { poll } from './support/topics';

const file = process.env.MASH_KAFKA_PRINCIPALS;
const maybe = file ? describe : describe.skip;

/** 'allowed', or the broker's error code, which kafkajs may wrap in a retry error (as its cause). */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'allowed';
  } catch (err) {
    for (let e = err as { type?: string; cause?: unknown; message?: string } | undefined; e; e = e.cause as typeof e)
      if (e.type) return e.type;
    return String((err as Error).message);
  }
}
if (!file) process.stdout.write('kafkaAuth.spec: skipped, the broker in use has no users (MASH_KAFKA_PRINCIPALS unset)\n');

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const runId = `ka${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const prefix = `${runId}.`;

maybe('Kafka authentication and ACLs', () => {
  let principals: KafkaPrincipals;
  const ports: KafkaPort[] = [];
  const as = (principal: string, password?: string) => {
    const c = credentialsOf(principals, principal);
    const port = new KafkaPort({
      brokers: BROKERS,
      clientId: `auth-test-${principal}`,
      prefix,
      sasl: { ...c, password: password ?? c.password },
    });
    ports.push(port);
    return port;
  };
  /** A bare kafkajs client (not the port): what someone outside the hub would try. */
  const bare = (sasl?: KafkaCredentials) =>
    new Kafka({
      clientId: 'outsider',
      brokers: BROKERS,
      logLevel: logLevel.NOTHING,
      retry: { retries: 1, initialRetryTime: 100 },
      connectionTimeout: 3000,
      ...(sasl ? { sasl } : {}),
    }).admin();

  const request = (agency: 'police' | 'education') => ({ ...validExamples.checkRequested, requestId: `req-${runId}-${agency}`, agency });
  const reply = (agency: 'police' | 'education') => ({ ...validExamples.checkReplied, requestId: `req-${runId}-${agency}`, agency });

  beforeAll(async () => {
    principals = loadKafkaPrincipals(file!);
    // Two provisioning steps at once for the same prefix (two hubs starting together): both succeed.
    const [a, b] = await Promise.all([provisionKafka(as('admin')), provisionKafka(as('admin'))]);
    expect(a).toEqual(b);
    expect(a.acls).toBeGreaterThan(100);
  });

  it('holds exactly the ACLs of acl.ts for the run, once each, after concurrent provisioning', async () => {
    const admin = await as('admin').adminClient();
    const { resources } = await admin.describeAcls({
      resourceType: AclResourceTypes.ANY,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    const held = resources
      .filter((r) => r.resourceName.startsWith(prefix))
      .flatMap((r) => r.acls.map((x) => `${r.resourceType} ${r.resourceName} ${r.resourcePatternType} ${x.principal} ${x.operation}`));
    const wanted = aclEntries(prefix).map(
      (e) => `${e.resourceType} ${e.resourceName} ${e.resourcePatternType} ${e.principal} ${e.operation}`,
    );
    expect(held.sort()).toEqual(wanted.sort());
  });

  afterAll(async () => {
    await Promise.allSettled(ports.map((p) => p.close()));
    if (principals) await dropRunState(runId, process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', BROKERS.join(','));
  });

  it('refuses a client with no credential: it cannot even list topics', async () => {
    const admin = bare();
    try {
      await expect(admin.listTopics()).rejects.toThrow(/connection|closed|retries/i);
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses a wrong password, and accepts the right one', async () => {
    const wrong = bare({ mechanism: 'scram-sha-512', username: 'connector-police', password: 'not-the-password-of-connector-police' });
    try {
      await expect(wrong.connect()).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' });
    } finally {
      await wrong.disconnect();
    }
    const right = bare(credentialsOf(principals, 'connector-police'));
    try {
      await right.connect();
      const visible = (await right.listTopics()).filter((t) => t.startsWith(prefix));
      // A principal sees only the topics it was granted: its requests and its replies (and dead letters).
      expect(visible.sort()).toEqual(
        [prefix + checkRepliedTopic('police'), prefix + checkRequestedTopic('police'), prefix + TOPICS.deadLetter].sort(),
      );
    } finally {
      await right.disconnect();
    }
  });

  it("connector-police cannot read education's requests nor write education's replies", async () => {
    const police = as('connector-police');
    expect(
      await outcome(
        police.subscribe({ group: 'connector-police', topics: [checkRequestedTopic('education')], handle: async () => undefined }),
      ),
    ).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await outcome(police.publish([{ topic: checkRepliedTopic('education'), key: 'CASE-x', data: reply('education') }]))).toBe(
      'TOPIC_AUTHORIZATION_FAILED',
    );
  });

  it('connector-police reads the requests checks sends it and answers on its own reply topic, which checks reads', async () => {
    await as('checks').publish([{ topic: checkRequestedTopic('police'), key: 'CASE-p', data: request('police') }]);
    const police = as('connector-police');
    const got: Received[] = [];
    await police.subscribe({ group: 'connector-police', topics: [checkRequestedTopic('police')], handle: async (m) => void got.push(m) });
    const seen = await poll(
      async () => got.find((m) => (m.envelope.data as { requestId: string }).requestId === `req-${runId}-police`),
      30000,
      'request at connector-police',
    );
    expect(seen.topic).toBe(checkRequestedTopic('police'));

    await police.publish([{ topic: checkRepliedTopic('police'), key: 'CASE-p', data: reply('police') }]);
    const replies: Received[] = [];
    await as('checks').subscribe({ group: 'checks', topics: [checkRepliedTopic('police')], handle: async (m) => void replies.push(m) });
    const answer = await poll(
      async () => replies.find((m) => m.envelope.producer === 'auth-test-connector-police'),
      30000,
      'reply at checks',
    );
    expect(answer.envelope.data).toMatchObject({ agency: 'police', requestId: `req-${runId}-police` });
  });

  it("a connector may use its own consumer group and not another principal's", async () => {
    const police = as('connector-police');
    expect(await outcome(police.lag('connector-police'))).toBe('allowed');
    // The broker answers FindCoordinator with GROUP_AUTHORIZATION_FAILED; kafkajs reports that as
    // a coordinator it could not find (and logs the broker's code).
    expect(await outcome(police.lag('checks'))).toMatch(/^(GROUP_AUTHORIZATION_FAILED|Failed to find group coordinator)$/);
  });

  it('an adapter writes its own inbound topic only, never the accepted-contact topic', async () => {
    const adapter = as('adapter-police');
    expect(await outcome(adapter.publish([{ topic: TOPICS.contactReceived, key: 'CON-x', data: validExamples.contactReceived }]))).toBe(
      'TOPIC_AUTHORIZATION_FAILED',
    );
    expect(
      await outcome(
        adapter.publish([{ topic: contactInboundTopic('health'), key: 'REF-x', data: { agency: 'health', submission: exampleContact } }]),
      ),
    ).toBe('TOPIC_AUTHORIZATION_FAILED');
    const [sent] = await adapter.publish([
      { topic: contactInboundTopic('police'), key: 'REF-x', data: { agency: 'police', submission: exampleContact } },
    ]);
    expect(sent.type).toBe(contactInboundTopic('police'));
  });

  it.each([
    [TOPICS.caseRated, 'triage', validExamples.caseRated],
    [TOPICS.decisionRecorded, 'gateway', validExamples.decisionRecorded],
    [TOPICS.consentOverride, 'gateway', validExamples.consentOverride],
  ] as const)('only one principal may write %s: %s', async (topic, writer, data) => {
    const outcomes = await Promise.all(
      KAFKA_PRINCIPALS.filter((p) => p !== 'admin').map(
        async (p) => [p, await outcome(as(p).publish([{ topic, key: 'CASE-w', data: data as unknown }]))] as const,
      ),
    );
    const written = outcomes.filter(([, o]) => o === 'allowed').map(([p]) => p);
    expect(written).toEqual([writer]);
    // ops holds no write grant at all, so the broker already refuses it a producer id (cluster).
    for (const [p, o] of outcomes)
      if (p !== writer) expect({ p, o }).toEqual({ p, o: expect.stringMatching(/^(TOPIC|CLUSTER)_AUTHORIZATION_FAILED$/) });
  });

  it("the gateway's lag sampler may read a connector group's committed and end offsets", async () => {
    const gateway = as('gateway');
    const row = await poll(
      async () => {
        const r = (await gateway.lag('connector-police')).find((x) => x.topic === checkRequestedTopic('police'));
        return r && r.lag === 0 && r.end !== '0' ? r : undefined;
      },
      30000,
      'connector-police caught up, seen by the gateway',
    );
    expect(Number(row.end)).toBeGreaterThan(0);
  });
});
