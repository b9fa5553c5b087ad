import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { signIn } from '../../scripts/identity';
import { KAFKA_PRINCIPALS, topicsUnderRetention } from '@mash/contracts';
import { loadPolicyFromEnv } from '@mash/policy';
import { credentialsEnv, credentialsOf, KafkaPort, KafkaPrincipals, loadKafkaPrincipals, provisionKafka } from '@mash/messaging';
import { Deployable, kafkaEnvFor, Running, startDeployable, waitForHttp } from '../../scripts/processes';
import { dropRunState } from '../../scripts/runState';
import { DEMO_METRICS_TOKEN } from '@mash/platform';
import { freePort } from './ports';

let managerToken: string | undefined;

/**
 * The credentials a test presents. Machines (adapters, ops) have tokens of their own; `manager` is a
 * person: the access token Amina Shah, a decision maker, got by signing in to the hub's identity
 * provider when the test hub started (decisions and case reads are a person's, never a machine's).
 */
/** The agency system's credential at its adapter, for every adapter a test hub starts. */
export const ADAPTER_CLIENT_TOKEN = 'adapter-client-e2e-token-00000001';
export const ADAPTER_CLIENT_AUTH = { authorization: `Bearer ${ADAPTER_CLIENT_TOKEN}` };

export const TEST_TOKENS = {
  police: 'test-police-token-0001',
  health: 'test-health-token-0001',
  education: 'test-education-token-0001',
  'contact-centre': 'test-contact-centre-token-0001',
  ops: 'test-ops-token-0001',
  get manager(): string {
    if (!managerToken) throw new Error('no decision maker is signed in: start the test hub first');
    return managerToken;
  },
};

/** What a scraper sends to /metrics on every process: the demo metrics token (libs/platform/src/metricsCredential.ts). */
export const METRICS_AUTH = { authorization: `Bearer ${DEMO_METRICS_TOKEN}` };

/** Who TEST_TOKENS.manager is, as decisions and audit rows name her. */
export const TEST_MANAGER = { subject: 'dm-amina.shah', name: 'Amina Shah (MASH team manager)', password: 'demo-amina' };

export interface TestHub {
  runId: string;
  gatewayUrl: string;
  ports: Record<string, number>;
  env: Record<string, string>;
  /** This hub's signed-in decision maker (TEST_TOKENS.manager is the last hub started's). */
  managerToken: string;
  /** Where a test signs another person in (scripts/identity.ts signIn): the provider and a registered redirect. */
  identity: { issuer: string; redirectUri: string };
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

/**
 * On an authenticated broker (MASH_KAFKA_PRINCIPALS, set by the global setup): the run's topics and
 * ACLs are provisioned as admin, and each process gets its own principal, so every test of the hub
 * also proves the grants of libs/contracts/src/acl.ts are enough, and no more is used.
 */
function kafkaPrincipals(): KafkaPrincipals | undefined {
  return process.env.MASH_KAFKA_PRINCIPALS ? loadKafkaPrincipals(process.env.MASH_KAFKA_PRINCIPALS) : undefined;
}

function knownPrincipal(principal: string, deployable: string): string {
  if (!KAFKA_PRINCIPALS.includes(principal))
    throw new Error(`deployable '${deployable}' has no Kafka principal: name one of libs/contracts/src/acl.ts in its 'principal'`);
  return principal;
}

/** A connector's deployable with CONNECTOR_PORT set (a free port, unless the test chose one), noted in `ports`. */
async function withOpsPort(d: Deployable, ports: Record<string, number>): Promise<Deployable> {
  const port = Number(d.env?.CONNECTOR_PORT ?? ports[d.name] ?? (await freePort()));
  ports[d.name] = port;
  return { ...d, env: { ...d.env, CONNECTOR_PORT: String(port) } };
}

export async function startTestHub(
  extra: Deployable[] = [],
  envOverrides: Record<string, string> = {},
  options: TestHubOptions = {},
): Promise<TestHub> {
  const runId = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const principals = kafkaPrincipals();
  const baseUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const dbUrl = new URL(baseUrl.toString());
  dbUrl.pathname = `/mash_${runId}`;
  const ports: Record<string, number> = {};
  for (const s of [...SERVICES, 'identity']) ports[s] = await freePort();
  const issuer = `http://127.0.0.1:${ports.identity}`;
  const redirectUri = 'http://127.0.0.1:9/workspace/callback';
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
      `ops=ops:${TEST_TOKENS.ops}`,
    ].join(','),
    MASH_OIDC_ISSUER: issuer,
    IDENTITY_PORT: String(ports.identity),
    // The test's own sign-in helper, and the gateway's decision workspace.
    IDENTITY_REDIRECT_URIS: `${redirectUri},http://127.0.0.1:${ports.gateway}/workspace/callback`,
    IDENTITY_ACCESS_TOKEN_TTL: '7200',
    MASH_TIMER_POLL_MS: '100',
    MASH_OUTBOX_POLL_MS: '100',
    // Specs send many refused requests from one address on purpose; the front-door spec sets its own limit.
    MASH_REFUSAL_BURST: '100000',
    // What the agency systems in the tests present to their adapters (POST /records, GET /notices, GET /contacts/:id).
    ADAPTER_CLIENT_TOKEN: ADAPTER_CLIENT_TOKEN,
    LOG_LEVEL: 'info',
    // What the test itself connects as (publishers, watchers): admin, like the provisioning step.
    ...(principals ? credentialsEnv(principals, 'admin') : {}),
    ...envOverrides,
  };
  const logDir = join(__dirname, '..', '..', '.run', 'test-logs', runId);
  const processes = new Map<string, Running>();
  const deployables = new Map<string, Deployable>();

  const start = async (given: Deployable) => {
    // A connector serves health on a port of its own: the hub waits for it as for a service, so a
    // connector that failed to start fails the start, not a case left waiting for its reply.
    const d = given.name.startsWith('connector-') ? await withOpsPort(given, ports) : given;
    deployables.set(d.name, d);
    const r = startDeployable(d, logDir, {
      ...process.env,
      ...env,
      ...kafkaEnvFor(d, principals && ((p) => credentialsEnv(principals, knownPrincipal(p, d.name)))),
    });
    processes.set(d.name, r);
    if (ports[d.name])
      await waitForHttp(`http://127.0.0.1:${ports[d.name]}/health/ready`, Number(process.env.MASH_START_WAIT_SECONDS ?? 90) * 1000, r);
    return r;
  };

  const hub: TestHub = {
    runId,
    gatewayUrl: env.GATEWAY_URL,
    ports,
    env,
    managerToken: '',
    identity: { issuer, redirectUri },
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
    if (principals) {
      const admin = new KafkaPort({
        brokers: env.KAFKA_BROKERS.split(','),
        clientId: 'test-provision',
        prefix: env.MASH_TOPIC_PREFIX,
        sasl: credentialsOf(principals, 'admin'),
      });
      try {
        // Under the policy the services will run (the run's own, or the shipped London one).
        const months = loadPolicyFromEnv({ ...process.env, ...env }).retention.mashRecordMonths;
        await provisionKafka(admin, topicsUnderRetention(months));
      } finally {
        await admin.close();
      }
    }
    // Sequential: every service creates topics and its schema at start-up; on two cores a
    // staggered start is also faster than four JITs fighting.
    await start({ name: 'identity', entry: 'apps/identity/src/main', principal: null });
    for (const s of options.services ?? SERVICES) await start({ name: s, entry: `apps/${s}/src/main` });
    managerToken = (await signIn({ issuer, redirectUri }, TEST_MANAGER.subject, TEST_MANAGER.password)).accessToken;
    hub.managerToken = managerToken;
    for (const d of extra) await start(d);
  } catch (err) {
    await hub.stop().catch(() => undefined);
    throw err;
  }
  return hub;
}
