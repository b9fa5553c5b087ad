import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { FieldError, problem, PROBLEM_MEDIA_TYPE } from '@mash/contracts';
import { KafkaPort, log } from '@mash/messaging/standalone';
import { register, Registry } from 'prom-client';
import { calendarWarning } from './calendarWarning';
import { observeHttp } from './httpObservability';
import { metricsCredential } from './metricsCredential';

/**
 * The ops endpoints of a process that is not a Nest service (adapters, connectors), with the
 * services' conventions: /health/live, /health/ready (503 with the failing checks), /metrics
 * (Prometheus, behind the metrics credential), and errors as RFC 9457 problem documents.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendProblem(
  res: ServerResponse,
  status: number,
  detail: string,
  extra: { errors?: FieldError[]; instance?: string; headers?: Record<string, string> } = {},
): void {
  const body = problem(status, detail, { errors: extra.errors, instance: extra.instance });
  sendJson(res, status, body, { ...extra.headers, 'content-type': PROBLEM_MEDIA_TYPE });
}

export type ReadinessCheck = () => Promise<Record<string, 'ok' | 'down'>>;

/** Kafka answers (cached for 5 s: a probe every few seconds must not become a metadata storm). */
export function kafkaReadiness(port: KafkaPort): ReadinessCheck {
  let checkedAt = 0;
  return async () => {
    try {
      if (Date.now() - checkedAt > 5000) {
        await (await port.adminClient()).describeCluster();
        checkedAt = Date.now();
      }
      return { kafka: 'ok' };
    } catch {
      return { kafka: 'down' };
    }
  };
}

/**
 * Answers an ops route, or returns false when the path is not one. `registries` are merged with
 * the default registry (process, messaging and HTTP metrics).
 */
export async function answerOps(
  req: IncomingMessage,
  res: ServerResponse,
  ready: ReadinessCheck,
  registries: Registry[] = [],
): Promise<boolean> {
  const path = new URL(req.url ?? '/', 'http://ops').pathname;
  if (req.method !== 'GET') return false;
  if (path === '/health/live') {
    sendJson(res, 200, { status: 'ok' });
    return true;
  }
  if (path === '/health/ready') {
    const checks = await ready();
    const ok = Object.values(checks).every((v) => v === 'ok');
    const warning = calendarWarning();
    const warnings = warning ? { warnings: [warning] } : {};
    if (ok) sendJson(res, 200, { status: 'ready', checks, ...warnings });
    else
      sendJson(
        res,
        503,
        { ...problem(503, 'not ready: a dependency does not answer', { instance: path }), status: 503, checks, ...warnings },
        { 'content-type': PROBLEM_MEDIA_TYPE },
      );
    return true;
  }
  if (path === '/metrics') {
    if (!metricsCredential().allows(req.headers.authorization)) {
      sendProblem(res, 401, 'metrics need the ops metrics token as a bearer token', {
        instance: path,
        headers: { 'www-authenticate': 'Bearer realm="metrics"' },
      });
      return true;
    }
    const merged = registries.length ? Registry.merge([register, ...registries]) : register;
    res.writeHead(200, { 'content-type': merged.contentType });
    res.end(await merged.metrics());
    return true;
  }
  return false;
}

const OPS_ROUTES = new Set(['/health/live', '/health/ready', '/metrics']);

/**
 * A small HTTP server with only the ops routes, for a process that has no HTTP of its own (a
 * connector). Port 0 takes a free one.
 */
export async function serveOps(opts: {
  port: number;
  host: string;
  ready: ReadinessCheck;
  registries?: Registry[];
}): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  const observe = observeHttp((req) => {
    const p = new URL(req.url ?? '/', 'http://ops').pathname;
    return OPS_ROUTES.has(p) ? p : 'unmatched';
  });
  const server: Server = createServer((req, res) =>
    observe(req, res, () => {
      answerOps(req, res, opts.ready, opts.registries)
        .then((answered) => {
          if (!answered)
            sendProblem(res, 404, 'no such route: this port serves /health/live, /health/ready and /metrics', {
              instance: new URL(req.url ?? '/', 'http://ops').pathname.slice(0, 100),
            });
        })
        .catch((err) => {
          log('error', 'ops request failed', { error: (err as Error).name });
          if (!res.headersSent) sendProblem(res, 500, 'the ops endpoint failed');
          else res.end();
        });
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return { url: `http://${opts.host}:${port}`, port, stop: () => new Promise<void>((r) => server.close(() => r())) };
}
