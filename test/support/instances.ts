import { AssignerProtocol, Kafka, logLevel } from 'kafkajs';
import { Running } from '../../scripts/processes';
import { METRICS_AUTH, TestHub } from './hub';
import { freePort } from './ports';
import { kafkaCredentialsFromEnv } from '@mash/messaging';

const PORT_VARIABLE = { gateway: 'GATEWAY_PORT', triage: 'TRIAGE_PORT', checks: 'CHECKS_PORT', notifier: 'NOTIFIER_PORT' } as const;
export type Service = keyof typeof PORT_VARIABLE;

/**
 * Starts one more instance of a service beside the hub's own (same database, same topics, same
 * consumer group), on its own HTTP port, as `<service>-<n>`; resolves once it is ready.
 */
export async function startAnotherInstance(
  hub: TestHub,
  service: Service,
  n: number,
): Promise<{ name: string; port: number; running: Running }> {
  const name = `${service}-${n}`;
  const port = await freePort();
  // The hub waits for /health/ready of every deployable whose name has a port.
  hub.ports[name] = port;
  // A second replica of a service is the same Kafka principal as the first.
  const running = await hub.start({
    name,
    entry: `apps/${service}/src/main`,
    principal: service,
    env: { [PORT_VARIABLE[service]]: String(port) },
  });
  return { name, port, running };
}

/** Messages an instance handled (first deliveries, not duplicates), from its Prometheus /metrics. */
export async function handledCount(port: number): Promise<number> {
  const text = await (
    await fetch(`http://127.0.0.1:${port}/metrics`, { headers: METRICS_AUTH, signal: AbortSignal.timeout(10000) })
  ).text();
  let n = 0;
  for (const line of text.split('\n')) {
    const m = /^mash_messages_consumed_total\{([^}]*)\} (\d+(?:\.\d+)?)$/.exec(line);
    if (m && /outcome="handled"/.test(m[1]!)) n += Number(m[2]);
  }
  return n;
}

/** The members of a consumer group and how many partitions each was given at the last rebalance. */
export async function groupMembers(
  brokers: string,
  groupId: string,
): Promise<{ clientHost: string; memberId: string; partitions: number }[]> {
  const sasl = kafkaCredentialsFromEnv(process.env);
  const admin = new Kafka({
    clientId: 'test-groups',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    ...(sasl ? { sasl } : {}),
  }).admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    return (groups[0]?.members ?? []).map((m) => {
      const assignment = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
      const partitions = Object.values(assignment?.assignment ?? {}).reduce((n, ps) => n + ps.length, 0);
      return { clientHost: m.clientHost, memberId: m.memberId, partitions };
    });
  } finally {
    await admin.disconnect();
  }
}
