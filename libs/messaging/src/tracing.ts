import { Context, context, createContextKey, propagation, ROOT_CONTEXT, Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, SpanProcessor } from '@opentelemetry/sdk-trace-node';

/**
 * OpenTelemetry for every process: one tracer provider, W3C trace context (`traceparent`) carried
 * over HTTP and in Kafka message headers, and OTLP/HTTP export when OTEL_EXPORTER_OTLP_ENDPOINT
 * (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set. Without an endpoint spans are still made, so
 * trace ids reach the logs and the message headers; they are just not sent anywhere.
 */
let provider: NodeTracerProvider | undefined;

export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): void {
  if (provider) return;
  const processors: SpanProcessor[] = [];
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
    // Loaded only when spans are exported (it brings the OTLP encoders, seconds of start-up on a
    // busy machine). It reads the endpoint, headers and timeout from the standard OTEL_* variables.
    const { OTLPTraceExporter } =
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  }
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? service, 'service.namespace': 'mash' }),
    spanProcessors: processors,
  });
  // Registers the AsyncLocalStorage context manager and the W3C trace-context propagator.
  provider.register();
}

/** Sends the spans still buffered (at shutdown: a stopped process loses none it made). */
export async function stopTracing(): Promise<void> {
  const p = provider;
  provider = undefined;
  await p?.shutdown().catch(() => undefined);
}

export const tracer = () => trace.getTracer('mash');

/** The active span's W3C `traceparent`, to carry across Kafka or HTTP; undefined outside any span. */
export function currentTraceparent(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent;
}

/** The context a received `traceparent` (HTTP header, Kafka header, outbox column) continues. */
export function contextFromTraceparent(traceparent: string | undefined | null): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

/** Kafka headers arrive as Buffers (or arrays of them); the trace context is in `traceparent`. */
export function traceparentFromHeaders(
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined,
): string | undefined {
  const v = headers?.traceparent;
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : one.toString();
}

/**
 * Runs `fn` in a new span (child of `parent`, or of the active context), ends it, and records a
 * thrown error's class on it (never its message: it may quote case content).
 */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Record<string, string | number | boolean>; parent?: Context },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
    options.parent ?? context.active(),
    async (span) => {
      try {
        return await fn(span);
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.name ?? 'Error' });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/**
 * A span the caller ends itself (a producer span that lasts until the broker acked a batch),
 * continuing `traceparent`; `ctx` is the context to inject into the outgoing message.
 */
export function openSpan(
  name: string,
  kind: SpanKind,
  traceparent: string,
  attributes: Record<string, string | number | boolean> = {},
): { span: Span; ctx: Context } {
  const parent = contextFromTraceparent(traceparent);
  const span = tracer().startSpan(name, { kind, attributes }, parent);
  return { span, ctx: trace.setSpan(parent, span) };
}

const REQUEST_ID = createContextKey('mash.request-id');

/** The context that names the HTTP request being served, for the logs. */
export function withRequestId(ctx: Context, requestId: string): Context {
  return ctx.setValue(REQUEST_ID, requestId);
}

/** Trace, span and request ids of the active context, for a log line. */
export function logCorrelation(): Record<string, string> {
  const ctx = context.active();
  const out: Record<string, string> = {};
  const sc = trace.getSpanContext(ctx);
  if (sc && trace.isSpanContextValid(sc)) {
    out.traceId = sc.traceId;
    out.spanId = sc.spanId;
  }
  const rid = ctx.getValue(REQUEST_ID);
  if (typeof rid === 'string') out.requestId = rid;
  return out;
}

export { SpanKind };
