import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ADAPTER_PORTS } from '@mash/adapter-kit';
import { CHECK_AGENCIES, SUBMITTING_AGENCIES, topicsUnderRetention } from '@mash/contracts';
import {
  credentialsEnv,
  credentialsOf,
  KafkaPort,
  KafkaPrincipals,
  loadKafkaPrincipals,
  messagingConfigFromEnv,
  provisionKafka,
} from '@mash/messaging';
import { DEMO_PEOPLE } from '../apps/identity/src/people';
import { Deployable, kafkaEnvFor, Running, startDeployable, waitForHttp } from './processes';
import { loadPolicyFromEnv, repoRoot } from '@mash/policy';
import { DEMO_METRICS_TOKEN } from '@mash/platform';

/**
 * `npm start`: the whole hub on one machine with its demo agencies, on local defaults.
 * Kafka (official jars via Maven Central) and Postgres are started if they are not running.
 */
const root = repoRoot();
const logDir = join(root, '.run', 'logs');

const ports = {
  gateway: Number(process.env.GATEWAY_PORT ?? 8080),
  triage: Number(process.env.TRIAGE_PORT ?? 8081),
  checks: Number(process.env.CHECKS_PORT ?? 8082),
  notifier: Number(process.env.NOTIFIER_PORT ?? 8083),
  mailbox: Number(process.env.MAILBOX_HTTP_PORT ?? 8025),
  identity: Number(process.env.IDENTITY_PORT ?? 8070),
  // Agency adapters on fixed local ports (8091-8094), where the demo and a person's browser find them.
  ...Object.fromEntries(SUBMITTING_AGENCIES.map((a) => [`adapter-${a}`, ADAPTER_PORTS[a]])),
} as Record<string, number>;

/**
 * The demo's mail catcher, unless SMTP_HOST names a real server: without it every email notice
 * would fail and be retried until it reaches the dead-letter topic.
 */
const useMailbox = !process.env.SMTP_HOST;
const smtpPort = process.env.SMTP_PORT ?? '2525';

/**
 * The demo's identity provider with its demo people, unless MASH_OIDC_ISSUER names the council's:
 * decision makers sign in as people, as they would with the council's own provider.
 */
const useDemoIdentity = !process.env.MASH_OIDC_ISSUER;
const issuer = process.env.MASH_OIDC_ISSUER ?? `http://127.0.0.1:${ports.identity}`;

export const DEMO_DEPLOYABLES: Deployable[] = [
  ...(useMailbox
    ? [
        {
          name: 'mailbox',
          entry: 'scripts/mailbox',
          principal: null,
          env: { MAILBOX_SMTP_PORT: smtpPort, MAILBOX_HTTP_PORT: String(ports.mailbox) },
        },
      ]
    : []),
  ...(useDemoIdentity
    ? [{ name: 'identity', entry: 'apps/identity/src/main', principal: null, env: { IDENTITY_PORT: String(ports.identity) } }]
    : []),
  ...(['gateway', 'triage', 'checks', 'notifier'] as const).map((s) => ({ name: s, entry: `apps/${s}/src/main` })),
  ...CHECK_AGENCIES.map((a) => ({ name: `connector-${a}`, entry: `apps/connectors/${a}/src/main` })),
  ...SUBMITTING_AGENCIES.map((a) => ({
    name: `adapter-${a}`,
    entry: `apps/adapters/${a}/src/main`,
    env: { ADAPTER_PORT: String(ports[`adapter-${a}`]) },
  })),
];

/**
 * The broker's principals when it authenticates: MASH_KAFKA_PRINCIPALS, or the file of the broker
 * infra/kafka.sh just started (none for an open broker, KAFKA_AUTH=none).
 */
function kafkaPrincipals(startedLocally: boolean): KafkaPrincipals | undefined {
  if (process.env.MASH_KAFKA_PRINCIPALS) return loadKafkaPrincipals(process.env.MASH_KAFKA_PRINCIPALS);
  if (!startedLocally || process.env.KAFKA_AUTH === 'none') return undefined;
  let file: string;
  try {
    file = execFileSync('bash', [join(root, 'infra', 'kafka.sh'), 'principals'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined; // an open broker: kafka.sh has no principals file for it
  }
  return loadKafkaPrincipals(file);
}

/** Topics and ACLs for this hub's prefix, as admin, before any service connects as itself. */
async function provision(principals: KafkaPrincipals): Promise<void> {
  const port = new KafkaPort({ ...messagingConfigFromEnv('hub-provision'), sasl: credentialsOf(principals, 'admin') });
  try {
    const r = await provisionKafka(port, topicsUnderRetention(loadPolicyFromEnv().retention.mashRecordMonths));
    process.stdout.write(
      `kafka: ${r.topics} topics and ${r.acls} ACL entries in place (${r.revoked} no longer granted, revoked); each process connects as its own principal\n`,
    );
  } finally {
    await port.close();
  }
}

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL) execFileSync('bash', [join(root, 'infra', 'postgres.sh'), 'start'], { stdio: 'inherit' });
  const startedLocally = !process.env.KAFKA_BROKERS;
  if (startedLocally) {
    execFileSync('bash', [join(root, 'infra', 'kafka.sh'), 'start'], { stdio: 'inherit' });
    process.env.KAFKA_BROKERS = `127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`;
  }
  const principals = kafkaPrincipals(startedLocally);
  if (principals) await provision(principals);
  const env = {
    ...process.env,
    GATEWAY_URL: process.env.GATEWAY_URL ?? `http://127.0.0.1:${ports.gateway}`,
    ...(useMailbox ? { SMTP_HOST: '127.0.0.1', SMTP_PORT: smtpPort } : {}),
    MASH_OIDC_ISSUER: issuer,
    // The notifier calls only registered endpoints: the demo health adapter receives its agency's
    // webhook notices (docs/trust-boundary.md), whatever address a contact names.
    MASH_WEBHOOK_ENDPOINTS: process.env.MASH_WEBHOOK_ENDPOINTS ?? `health=http://127.0.0.1:${ports['adapter-health']}/notices/webhook`,
  };
  const running: Running[] = [];
  const stopAll = async () => {
    process.stdout.write('\nstopping the hub...\n');
    await Promise.all(running.map((r) => r.stop()));
    process.exit(0);
  };
  process.on('SIGINT', () => void stopAll());
  process.on('SIGTERM', () => void stopAll());

  for (const d of DEMO_DEPLOYABLES) {
    const r = startDeployable(d, logDir, { ...env, ...kafkaEnvFor(d, principals && ((p) => credentialsEnv(principals, p))) });
    running.push(r);
    const port = ports[d.name];
    if (port) await waitForHttp(`http://127.0.0.1:${port}/health/ready`, Number(process.env.MASH_START_WAIT_SECONDS ?? 120) * 1000, r);
    r.child.once('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(`${d.name} exited with ${code}; see ${r.logFile}\n`);
    });
  }

  const g = `http://127.0.0.1:${ports.gateway}`;
  process.stdout.write(
    [
      '',
      'MASH integration hub is running.',
      `  gateway         ${g}   (OpenAPI ${g}/openapi.json, AsyncAPI ${g}/asyncapi.json)`,
      `  health          ${g}/health/ready   metrics ${g}/metrics (Bearer ${DEMO_METRICS_TOKEN})`,
      `  wall board      ${g}/board#token=demo-board-token     (ops: GET ${g}/v1/ops/lag, /v1/ops/quarantine with demo-ops-token)`,
      useDemoIdentity
        ? `  people sign in  ${issuer} (demo identity provider): ${DEMO_PEOPLE.filter((p) => p.roles.length)
            .map((p) => `${p.subject} / ${p.password} (${p.roles.join(', ')})`)
            .join('; ')}`
        : `  people sign in  ${issuer}`,
      `  services        triage :${ports.triage}  checks :${ports.checks}  notifier :${ports.notifier}  (each /health/ready, /metrics)`,
      `  connectors      ${CHECK_AGENCIES.join(', ')}`,
      '  adapters        native records in: POST <adapter>/records; notices out: GET <adapter>/notices',
      ...SUBMITTING_AGENCIES.map((a) => `    ${a.padEnd(15)} http://127.0.0.1:${ports[`adapter-${a}`]}/notices`),
      useMailbox
        ? `  email notices   http://127.0.0.1:${ports.mailbox}/   (demo mailbox on SMTP 127.0.0.1:${smtpPort}; JSON at /messages)`
        : `  email notices   sent to SMTP ${process.env.SMTP_HOST}:${smtpPort}`,
      `  logs            ${logDir}`,
      '',
      'Send a sample police notification, follow it to its outcome notice:',
      '  npm run demo:send',
      '',
      'Ctrl-C stops everything (Kafka keeps running: infra/kafka.sh stop).',
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  process.stderr.write(`hub failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
