import { CheckRequested, checkRequestedTopic } from '@mash/contracts';
import { KafkaPort } from '@mash/messaging';
import { METRICS_AUTH, startTestHub, TEST_TOKENS, TestHub } from '../support/hub';
import { poll } from '../support/topics';

interface LagJson {
  sampledAt?: string;
  groups: {
    group: string;
    status: string;
    consumersActive?: boolean;
    totalLag: number;
    maxLagSeconds: number;
    partitions: { topic: string; partition: number; lag: number; lagSeconds: number; status: string }[];
  }[];
  absentGroups: string[];
}

/**
 * Consumer lag as operators see it: a connector that goes away while requests keep coming shows
 * growing lag and a non-OK status; once it is back and has caught up, lag is zero and status OK.
 * Requests are published straight to the police request topic (as the checks service does), so
 * the test controls how many arrive while the connector is down.
 */
describe('consumer lag of a connector that stops and comes back', () => {
  let hub: TestHub;
  let port: KafkaPort;

  beforeAll(async () => {
    hub = await startTestHub([{ name: 'connector-police', entry: 'apps/connectors/police/src/main' }], {
      MASH_LAG_INTERVAL_SECONDS: '0.5',
      MASH_LAG_WINDOW: '4',
    });
    port = new KafkaPort({ brokers: hub.env.KAFKA_BROKERS.split(','), clientId: 'lag-test', prefix: hub.env.MASH_TOPIC_PREFIX });
  }, 240000);

  afterAll(async () => {
    await port?.close();
    await hub?.stop();
  }, 60000);

  const lag = async (token = TEST_TOKENS.ops) => {
    const res = await fetch(`${hub.gatewayUrl}/v1/ops/lag`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as LagJson };
  };
  // The last look at each group, so a timeout says what the group looked like instead.
  const seen = new Map<string, unknown>();
  const group = async (name: string) => {
    const body = (await lag()).body;
    const g = body.groups.find((x) => x.group === name);
    seen.set(name, { sampledAt: body.sampledAt, absent: body.absentGroups.includes(name), ...g });
    return g;
  };
  const within = async <T>(what: string, fn: () => Promise<T | undefined>, ms: number): Promise<T> => {
    try {
      return await poll(fn, ms, what);
    } catch (err) {
      throw new Error(`${(err as Error).message}; last seen: ${JSON.stringify(seen.get('connector-police'))}`);
    }
  };

  let n = 0;
  const request = (): CheckRequested => {
    n++;
    const now = new Date();
    return {
      requestId: `RQ-lag-${n}`,
      caseId: `CS-lag-${n}`,
      agency: 'police',
      subjects: [{ subjectId: 'subj-1', kind: 'child' }],
      categories: ['identity'],
      lawfulBasis: 'statutory-function',
      rating: 'GREEN',
      dueAt: new Date(now.getTime() + 3600_000).toISOString(),
      caseDeadline: new Date(now.getTime() + 7200_000).toISOString(),
      requestedAt: now.toISOString(),
    };
  };
  const send = (count: number) =>
    port.publish(Array.from({ length: count }, () => ({ topic: checkRequestedTopic('police'), key: `CS-lag-${n + 1}`, data: request() })));

  it('is for ops only', async () => {
    expect((await lag(TEST_TOKENS.manager)).status).toBe(403);
    expect((await fetch(`${hub.gatewayUrl}/v1/ops/lag`)).status).toBe(401);
  });

  it('reports the hub services and the connector, then lag and a non-OK status while it is stopped, then OK again', async () => {
    // A first request, answered: the group has committed offsets and is caught up.
    await send(1);
    const healthy = await within(
      'connector-police caught up',
      async () => {
        const g = await group('connector-police');
        // Committed offsets, not just a member: the connector starts without a readiness port.
        return g && g.partitions.length > 0 && g.totalLag === 0 && g.status === 'ok' && g.consumersActive ? g : undefined;
      },
      60000,
    );
    expect(healthy.partitions.every((p) => p.topic === checkRequestedTopic('police'))).toBe(true);
    const all = await lag();
    for (const s of ['gateway', 'triage', 'checks', 'notifier']) expect(all.body.groups.map((g) => g.group)).toContain(s);
    // Never-started connectors are listed as absent, not as healthy.
    expect(all.body.absentGroups).toContain('connector-health');

    await hub.processes.get('connector-police')!.stop();
    await send(3);
    const behind = await within(
      'connector-police lag and a non-OK status',
      async () => {
        const g = await group('connector-police');
        return g && g.totalLag >= 3 && g.status !== 'ok' ? g : undefined;
      },
      30000,
    );
    expect(['warning', 'error', 'stalled']).toContain(behind.status);
    // It left the group on SIGTERM: no live consumer, so the partitions are "stopped" (an error).
    expect(behind).toMatchObject({ status: 'error', consumersActive: false });
    expect(behind.partitions.filter((p) => p.lag > 0).every((p) => p.status === 'stopped')).toBe(true);

    // More waiting: lag grows, in messages and in seconds.
    await send(2);
    const worse = await within(
      'growing lag',
      async () => {
        const g = await group('connector-police');
        return g && g.totalLag >= 5 && g.maxLagSeconds >= 1 ? g : undefined;
      },
      30000,
    );
    expect(worse.totalLag).toBeGreaterThan(behind.totalLag);

    const metrics = await (await fetch(`${hub.gatewayUrl}/metrics`, { headers: METRICS_AUTH })).text();
    expect(metrics).toMatch(/mash_consumer_group_status\{group="connector-police"\} 2/);
    expect(metrics).toMatch(
      new RegExp(
        `mash_consumer_lag_messages\\{group="connector-police",topic="${checkRequestedTopic('police').replace(/\./g, '\\.')}",partition="\\d"\\} [1-9]`,
      ),
    );
    expect(metrics).toMatch(/mash_consumer_lag_seconds\{group="connector-police",/);

    await hub.restart('connector-police');
    const recovered = await within(
      'connector-police back to zero lag and OK',
      async () => {
        const g = await group('connector-police');
        return g && g.totalLag === 0 && g.status === 'ok' ? g : undefined;
      },
      60000,
    );
    expect(recovered.maxLagSeconds).toBe(0);
    expect(await (await fetch(`${hub.gatewayUrl}/metrics`, { headers: METRICS_AUTH })).text()).toMatch(
      /mash_consumer_group_status\{group="connector-police"\} 0/,
    );
  }, 180000);
});
