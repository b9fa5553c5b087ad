import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ADAPTER_PORTS } from '@mash/adapter-kit';
import { CHECK_AGENCIES, SUBMITTING_AGENCIES } from '@mash/contracts';
import { Deployable, Running, startDeployable, waitForHttp } from './processes';
import { repoRoot } from '@mash/policy';

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
  // Agency adapters on fixed local ports (8091-8094), where the demo and a person's browser find them.
  ...Object.fromEntries(SUBMITTING_AGENCIES.map((a) => [`adapter-${a}`, ADAPTER_PORTS[a]])),
} as Record<string, number>;

export const DEMO_DEPLOYABLES: Deployable[] = [
  ...(['gateway', 'triage', 'checks', 'notifier'] as const).map((s) => ({ name: s, entry: `apps/${s}/src/main` })),
  ...CHECK_AGENCIES.map((a) => ({ name: `connector-${a}`, entry: `apps/connectors/${a}/src/main` })),
  ...SUBMITTING_AGENCIES.map((a) => ({ name: `adapter-${a}`, entry: `apps/adapters/${a}/src/main`, env: { ADAPTER_PORT: String(ports[`adapter-${a}`]) } })),
];

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL) execFileSync('bash', [join(root, 'infra', 'postgres.sh'), 'start'], { stdio: 'inherit' });
  if (!process.env.KAFKA_BROKERS) {
    execFileSync('bash', [join(root, 'infra', 'kafka.sh'), 'start'], { stdio: 'inherit' });
    process.env.KAFKA_BROKERS = `127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`;
  }
  const env = { ...process.env, GATEWAY_URL: process.env.GATEWAY_URL ?? `http://127.0.0.1:${ports.gateway}` };
  const running: Running[] = [];
  const stopAll = async () => {
    process.stdout.write('\nstopping the hub...\n');
    await Promise.all(running.map((r) => r.stop()));
    process.exit(0);
  };
  process.on('SIGINT', () => void stopAll());
  process.on('SIGTERM', () => void stopAll());

  for (const d of DEMO_DEPLOYABLES) {
    const r = startDeployable(d, logDir, env);
    running.push(r);
    const port = ports[d.name];
    if (port) await waitForHttp(`http://127.0.0.1:${port}/health/ready`, 120000, r);
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
      `  health          ${g}/health/ready   metrics ${g}/metrics`,
      `  wall board      ${g}/board#token=demo-manager-token   (ops: GET ${g}/v1/ops/lag, /v1/ops/quarantine with demo-ops-token)`,
      `  services        triage :${ports.triage}  checks :${ports.checks}  notifier :${ports.notifier}  (each /health/ready, /metrics)`,
      `  connectors      ${CHECK_AGENCIES.join(', ')}`,
      '  adapters        native records in: POST <adapter>/records; notices out: GET <adapter>/notices',
      ...SUBMITTING_AGENCIES.map((a) => `    ${a.padEnd(15)} http://127.0.0.1:${ports[`adapter-${a}`]}/notices`),
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
