import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Counter, Histogram } from 'prom-client';
import { tracer, withRequestId } from '@mash/messaging/standalone';

/** Registered once per process in prom-client's default registry, which /metrics serves. */
export const httpMetrics = {
  requests: new Counter({
    name: 'mash_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status.',
    labelNames: ['method', 'route', 'status'],
  }),
  seconds: new Histogram({
    name: 'mash_http_request_seconds',
    help: 'Time to answer one HTTP request, by method and route template.',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  }),
};

/** A caller's own request id is kept when it is a plain token; anything else is replaced, never logged. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Express (and so Nest) knows the matched route template; an unmatched path is one label, not one per URL. */
function expressRoute(req: IncomingMessage): string {
  const r = req as IncomingMessage & { route?: { path?: unknown }; baseUrl?: string };
  return typeof r.route?.path === 'string' ? `${r.baseUrl ?? ''}${r.route.path}` : 'unmatched';
}

/**
 * One HTTP request observed: a server span continuing the caller's `traceparent`, a request id
 * (the caller's X-Request-Id, or a new one) answered in X-Request-Id and carried by every log line
 * written while serving it, and the request counted and timed by route template. Works as express
 * middleware and in a plain node:http server (`next` runs the handler). Paths are never put on
 * spans or labels: a path can hold a case or contact id, and the template says enough.
 */
export function observeHttp(routeOf: (req: IncomingMessage) => string = expressRoute) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const started = process.hrtime.bigint();
    const given = req.headers['x-request-id'];
    const requestId = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.setHeader('x-request-id', requestId);
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const method = req.method ?? 'GET';
    const span = tracer().startSpan(method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } }, parent);
    res.once('close', () => {
      const route = routeOf(req);
      const status = res.statusCode;
      span.updateName(`${method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
      if (status >= 500 || !res.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      httpMetrics.requests.inc({ method, route, status: String(status) });
      httpMetrics.seconds.observe({ method, route }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    const ctx = withRequestId(trace.setSpan(parent, span), requestId);
    // A body parser's 'data'/'end' callbacks would otherwise run in the socket's context, and the
    // handler after them outside this request's span.
    context.bind(ctx, req);
    context.bind(ctx, res);
    context.with(ctx, next);
  };
}
