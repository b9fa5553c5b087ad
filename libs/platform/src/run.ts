import { INestApplication, LoggerService, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestMicroservice } from '@nestjs/microservices';
import { collectDefaultMetrics } from 'prom-client';
import { KafkaPort, log, MashKafkaTransport, Outbox, RethrowToPort, setLogService, startTracing } from '@mash/messaging';
import { calendarWarning } from './calendarWarning';
import { useClock } from './clock';
import { databaseUrl, prepareDatabase } from './database';
import { observeHttp } from './httpObservability';
import { ProblemFilter } from './problems';
import { metricsCredential } from './metricsCredential';
import { clockFromEnv } from './sharedClock';

/** Nest's own log lines, as JSON like ours. */
class JsonLogger implements LoggerService {
  log(message: unknown, context?: string) {
    log('info', String(message), { context });
  }
  error(message: unknown, trace?: string, context?: string) {
    log('error', String(message), { context, trace: trace?.split('\n').slice(0, 5).join(' | ') });
  }
  warn(message: unknown, context?: string) {
    log('warn', String(message), { context });
  }
  debug() {}
  verbose() {}
}

export interface RunOptions {
  name: string;
  schema: string;
  port: number;
  host?: string;
  /** Extra set-up on the app before it listens (e.g. body size limits, static files). */
  configure?: (app: INestApplication) => void | Promise<void>;
}

/** Starts one hub service: database and schema, topics, consumers, outbox relay, HTTP. */
export async function runService(module: Type<unknown>, opts: RunOptions): Promise<INestApplication> {
  setLogService(opts.name);
  startTracing(opts.name);
  // Production mode refuses to start with no metrics credential or the demo one.
  metricsCredential();
  collectDefaultMetrics();
  await prepareDatabase(databaseUrl(), opts.schema);
  const shared = await clockFromEnv(process.env, databaseUrl(), opts.name);
  if (shared) useClock(shared);
  const app = await NestFactory.create(module, { logger: new JsonLogger(), bodyParser: false });
  app.enableShutdownHooks();
  // First, so every request (those a filter or guard refuses too) is traced, timed and has a request id.
  app.use(observeHttp());
  // Errors leave as RFC 9457 problem documents in every service; a service's configure may add its own.
  app.useGlobalFilters(new ProblemFilter());
  await opts.configure?.(app);
  await app.get(KafkaPort).prepareTopics();
  // HTTP filters (e.g. the gateway's quarantine of request bodies) must not see Kafka messages.
  // Nest binds handlers to the filters present when listeners are registered, so the filter goes
  // in first and the listeners after, as connectMicroservice would do without deferring.
  const transport = app.connectMicroservice(
    { strategy: app.get(MashKafkaTransport) },
    { inheritAppConfig: false, deferInitialization: true },
  ) as unknown as NestMicroservice;
  transport.useGlobalFilters(new RethrowToPort());
  transport.registerListeners();
  transport.setIsInitialized(true);
  transport.setIsInitHookCalled(true);
  await app.startAllMicroservices();
  app.get(Outbox).start();
  const host = opts.host ?? process.env.SERVICE_HOST ?? '127.0.0.1';
  await app.listen(opts.port, host);
  log('info', 'service ready', { port: opts.port, health: `http://${host}:${opts.port}/health/ready` });
  const calendar = calendarWarning();
  if (calendar) log('warn', 'calendar running out', { detail: calendar });
  return app;
}
