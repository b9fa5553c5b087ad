import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Deployable, Running, startDeployable, waitForHttp } from '../../scripts/processes';
import { dropRunState } from '../../scripts/runState';
import { freePort } from './ports';

export const TEST_TOKENS = {
  police: 'test-police-token-0001',
  health: 'test-health-token-0001',
  education: 'test-education-token-0001',
  'contact-centre': 'test-contact-centre-token-0001',
  manager: 'test-manager-token-0001',
  ops: 'test-ops-token-0001',
};

export interface TestHub {
  runId: string;
  gatewayUrl: string;
  ports: Record<string, number>;
  env: Record<string, string>;
  processes: Map<string, Running>;
  /** Starts (or restarts) one deployable with the hub's environment. */
  start(d: Deployable): Promise<Running>;
  restart(name: string): Promise<Running>;
  stop(): Promise<void>;
}

export const SERVICES = ['gateway', 'triage', 'checks', 'notifier'] as const;

/**
 * Starts the four services (and any extra deployables) as real processes against real Kafka and
 * Postgres. Each run owns a fresh database and topic prefix, and drops both on stop.
 */
export interface TestHubOptions {
  /** The services to start (default all four): a test of one service starts only that one. */
  services?: readonly (typeof SERVICES)[number][];
}

export async function startTestHub(extra: Deployable[] = [], envOverrides: Record<string, string> = {}, options: TestHubOptions = {}): Promise<TestHub> {
  const runId = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const baseUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const dbUrl = new URL(baseUrl.toString());
  dbUrl.pathname = `/mash_${runId}`;
  const ports: Record<string, number> = {};
  for (const s of SERVICES) ports[s] = await freePort();
  const env: Record<string, string> = {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    DATABASE_URL: dbUrl.toString(),
    MASH_TOPIC_PREFIX: `${runId}.`,
    GATEWAY_PORT: String(ports.gateway),
    TRIAGE_PORT: String(ports.triage),
    CHECKS_PORT: String(ports.checks),
    NOTIFIER_PORT: String(ports.notifier),
    GATEWAY_URL: `http://127.0.0.1:${ports.gateway}`,
    MASH_CREDENTIALS: [
      ...(['police', 'health', 'education', 'contact-centre'] as const).map((a) => `${a}=adapter:${TEST_TOKENS[a]}`),
      `mash-manager=decision-maker:${TEST_TOKENS.manager}`,
      `ops=ops:${TEST_TOKENS.ops}`,
    ].join(','),
    MASH_TIMER_POLL_MS: '100',
    MASH_OUTBOX_POLL_MS: '100',
    LOG_LEVEL: 'info',
    ...envOverrides,
  };
  const logDir = join(__dirname, '..', '..', '.run', 'test-logs', runId);
  const processes = new Map<string, Running>();
  const deployables = new Map<string, Deployable>();

  const start = async (d: Deployable) => {
    deployables.set(d.name, d);
    const r = startDeployable(d, logDir, { ...process.env, ...env });
    processes.set(d.name, r);
    if (ports[d.name]) await waitForHttp(`http://127.0.0.1:${ports[d.name]}/health/ready`, 90000, r);
    return r;
  };

  const hub: TestHub = {
    runId,
    gatewayUrl: env.GATEWAY_URL,
    ports,
    env,
    processes,
    start,
    async restart(name) {
      await processes.get(name)?.stop();
      return start(deployables.get(name)!);
    },
    async stop() {
      await Promise.all([...processes.values()].map((p) => p.stop()));
      await dropRunState(runId, baseUrl.toString(), env.KAFKA_BROKERS);
    },
  };
  try {
    // Sequential: every service creates topics and its schema at start-up; on two cores a
    // staggered start is also faster than four JITs fighting.
    for (const s of options.services ?? SERVICES) await start({ name: s, entry: `apps/${s}/src/main` });
    for (const d of extra) await start(d);
  } catch (err) {
    await hub.stop().catch(() => undefined);
    throw err;
  }
  return hub;
}
