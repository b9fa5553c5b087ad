/**
 * Accepted notifications per second and p50/p99 latency of the real gateway process, beside a bare
 * NestJS endpoint that answers 202 and does nothing (bench/gatewayBareNest.ts), on the same
 * machine, in the same run, driven by the same load generator with the same bodies.
 *
 *   npm run bench:gateway        (builds, then runs dist/bench/gatewayThroughput.js)
 *
 * The gateway gets its own database and topic prefix (both dropped at the end) and a raised rate
 * limit; it runs with its normal log level. Each request is a distinct valid contact (its own
 * agency reference), so every accepted one is a Postgres transaction with an outbox row, relayed
 * to Kafka. The load generator keeps BENCH_CONCURRENCY keep-alive connections busy for
 * BENCH_SECONDS after a BENCH_WARMUP_SECONDS warm-up, on loopback only.
 * Env: KAFKA_BROKERS, DATABASE_URL (an admin URL), BENCH_CONCURRENCY (16), BENCH_SECONDS (10),
 * BENCH_WARMUP_SECONDS (2).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { exampleContact } from '@mash/contracts/examples';
import { credentialsEnv, credentialsOf, defaultPrincipalsFile, KafkaPort, loadKafkaPrincipals, provisionKafka } from '@mash/messaging';
import { Running, startDeployable, waitForHttp } from '../scripts/processes';
import { dropRunState } from '../scripts/runState';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const TOKEN = 'bench-police-token-0001';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Result {
  name: string;
  sent: number;
  accepted: number;
  other: Record<string, number>;
  perSecond: number;
  p50: number;
  p99: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;

/** Keeps CONCURRENCY requests in flight; only requests started after the warm-up are measured. */
async function drive(name: string, url: string, bodyFor: (i: number) => string): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const target = new URL(url);
  const latencies: number[] = [];
  const other: Record<string, number> = {};
  let accepted = 0;
  let sent = 0;
  let i = 0;
  const t0 = Date.now();
  const measureFrom = t0 + WARMUP * 1000;
  const stopAt = measureFrom + SECONDS * 1000;
  const one = (body: string) =>
    new Promise<number>((resolve) => {
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${TOKEN}` },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', () => resolve(-1));
      req.end(body);
    });
  const worker = async () => {
    while (Date.now() < stopAt) {
      const body = bodyFor(i++);
      const started = process.hrtime.bigint();
      const measured = Date.now() >= measureFrom;
      const status = await one(body);
      if (!measured) continue;
      sent++;
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (status === 202) accepted++;
      else other[String(status)] = (other[String(status)] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { name, sent, accepted, other, perSecond: accepted / SECONDS, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function main(): Promise<void> {
  const runId = `bench${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const root = join(__dirname, '..', '..');
  const logDir = join(root, '.run', 'bench-logs', runId);
  const dbUrl = new URL(ADMIN_URL);
  dbUrl.pathname = `/mash_${runId}`;
  const [gatewayPort, barePort] = [await freePort(), await freePort()];
  // On an authenticated broker (the local one is: infra/kafka.sh), the run's topics and ACLs are
  // made as admin first, and the gateway connects as its own principal, as in a deployment.
  const principalsFile = process.env.MASH_KAFKA_PRINCIPALS ?? defaultPrincipalsFile();
  const principals = existsSync(principalsFile) ? loadKafkaPrincipals(principalsFile) : undefined;
  if (principals) Object.assign(process.env, credentialsEnv(principals, 'admin'));
  const running: Running[] = [];
  try {
    if (principals) {
      const admin = new KafkaPort({
        brokers: BROKERS.split(','),
        clientId: 'bench-provision',
        prefix: `${runId}.`,
        sasl: credentialsOf(principals, 'admin'),
      });
      try {
        await provisionKafka(admin);
      } finally {
        await admin.close();
      }
    }
    const gateway = startDeployable({ name: 'gateway', entry: 'apps/gateway/src/main' }, logDir, {
      ...process.env,
      KAFKA_BROKERS: BROKERS,
      DATABASE_URL: dbUrl.toString(),
      MASH_TOPIC_PREFIX: `${runId}.`,
      GATEWAY_PORT: String(gatewayPort),
      MASH_CREDENTIALS: `police=adapter:${TOKEN},ops=ops:bench-ops-token-0001`,
      MASH_RATE_LIMIT_PER_SEC: '1000000',
      MASH_RATE_LIMIT_BURST: '1000000',
      ...(principals ? credentialsEnv(principals, 'gateway') : {}),
    });
    running.push(gateway);
    await waitForHttp(`http://127.0.0.1:${gatewayPort}/health/ready`, 120000, gateway);
    const bare = startDeployable({ name: 'bare-nest', entry: 'bench/gatewayBareNest' }, logDir, {
      ...process.env,
      BARE_PORT: String(barePort),
    });
    running.push(bare);
    await waitForHttp(`http://127.0.0.1:${barePort}/health`, 60000, bare);

    const bodies = (prefix: string) => (i: number) => JSON.stringify({ ...exampleContact, agencyReference: `${prefix}-${i}` });
    process.stdout.write(
      `gateway-throughput: ${cpus().length} cores, ${CONCURRENCY} concurrent keep-alive requests, ${WARMUP} s warm-up then ${SECONDS} s measured, loopback\n`,
    );
    // Bare first, then the gateway: each alone on the machine while it is measured.
    const bareResult = await drive(
      'bare NestJS (202, no work)',
      `http://127.0.0.1:${barePort}/v1/agencies/police/contacts`,
      bodies(`BARE-${runId}`),
    );
    const gatewayResult = await drive(
      'gateway (validate, store, outbox)',
      `http://127.0.0.1:${gatewayPort}/v1/agencies/police/contacts`,
      bodies(`GW-${runId}`),
    );

    const pg = new Client({ connectionString: dbUrl.toString() });
    await pg.connect();
    const [{ contacts }] = (await pg.query(`SELECT count(*)::int AS contacts FROM gateway.contacts`)).rows;
    await pg.end();

    const row = (r: Result) =>
      `${r.name.padEnd(36)} ${r.perSecond.toFixed(0).padStart(8)} /s   p50 ${r.p50.toFixed(1).padStart(7)} ms   p99 ${r.p99.toFixed(1).padStart(7)} ms   (${r.accepted} accepted of ${r.sent}${Object.keys(r.other).length ? `, other: ${JSON.stringify(r.other)}` : ''})`;
    process.stdout.write(`${''.padEnd(36)} accepted notifications\n`);
    process.stdout.write(`${row(bareResult)}\n${row(gatewayResult)}\n`);
    process.stdout.write(
      `gateway / bare: ${(gatewayResult.perSecond / bareResult.perSecond).toFixed(3)} of the throughput, p50 x${(gatewayResult.p50 / bareResult.p50).toFixed(1)}, p99 x${(gatewayResult.p99 / bareResult.p99).toFixed(1)}\n`,
    );
    process.stdout.write(`contacts stored by the gateway (warm-up included): ${contacts}\n`);
  } finally {
    await Promise.all(running.map((r) => r.stop()));
    await dropRunState(runId, ADMIN_URL, BROKERS).catch((err) => process.stderr.write(`cleanup failed: ${(err as Error).message}\n`));
  }
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).message}\n`);
  process.exit(1);
});
