import { randomUUID } from 'node:crypto';
import { checkRepliedTopic, checkRequestedTopic, CheckRequested } from '@mash/contracts';
import {
  currentTraceparent,
  envelopeFor,
  inMessageSpan,
  KafkaPort,
  log,
  messagingConfigFromEnv,
  RawRecord,
  Received,
  setLogService,
  startTracing,
  stopTracing,
} from '@mash/messaging/standalone';
import { kafkaReadiness, metricsCredential, serveOps } from '@mash/platform/standalone';
import { behaviourFromEnv, handleCheckRequest } from './behaviour';
import { Connector } from './connector';
import { now as hubNow } from '@mash/platform/clock';

/**
 * Runs a connector as its own process: reads only its agency's request topic, answers on its
 * agency's reply topic. It keeps no state, so a redelivered request is simply answered again and
 * the checks service ignores the second reply.
 */
export async function serveConnector(connector: Connector, env: NodeJS.ProcessEnv = process.env): Promise<() => Promise<void>> {
  const name = `connector-${connector.agency}`;
  setLogService(name);
  startTracing(name, env);
  // Production mode refuses to start with no metrics credential or the demo one.
  metricsCredential();
  const behaviour = behaviourFromEnv(env);
  const config = messagingConfigFromEnv(name, env);
  const port = new KafkaPort(config);
  await port.prepareTopics();
  // What one request makes: its reply (or the malformed body a misbehaving connector sends, past
  // the producer's validation so the hub must catch it on receipt), or nothing. Read inside the
  // request's span, so the reply continues the request's trace.
  const replyTo = async ({ envelope }: Received): Promise<RawRecord | undefined> => {
    const request = envelope.data as CheckRequested;
    const outcome = await handleCheckRequest(connector, request, { behaviour });
    log('info', 'check request handled', { caseId: request.caseId, requestId: request.requestId, outcome: outcome.kind });
    const topic = checkRepliedTopic(connector.agency);
    const traceparent = currentTraceparent() ?? null;
    if (outcome.kind === 'reply') {
      const env = envelopeFor({ topic, key: request.caseId, data: outcome.reply, correlationId: request.requestId }, config.clientId);
      return { topic, key: request.caseId, value: JSON.stringify(env), traceparent };
    }
    if (outcome.kind === 'malformed') {
      const env = {
        id: randomUUID(),
        type: topic,
        occurredAt: hubNow().toISOString(),
        producer: name,
        key: request.caseId,
        data: outcome.data,
      };
      return { topic, key: request.caseId, value: JSON.stringify(env), traceparent };
    }
    return undefined;
  };
  const sub = await port.subscribe({
    group: name,
    topics: [checkRequestedTopic(connector.agency)],
    handle: async (msg) => {
      const reply = await replyTo(msg);
      if (reply) await port.sendRaw([reply]);
    },
    // A run of requests is answered in one send and one offset commit, not two broker round trips
    // per request: a connector answering one by one fell tens of seconds behind a burst while
    // nearly idle (docs/architecture.md "Connectors answer runs"). Any failure sends nothing, and
    // the port answers the run again one request at a time, with its retries and dead letters.
    // A slow connector (a test's or the demo's) answers each request as it is ready, as a slow
    // agency would; a run would hold every reply back until the last.
    handleMany:
      behaviour.mode === 'slow'
        ? undefined
        : async (msgs) => {
            const replies: RawRecord[] = [];
            for (const msg of msgs) {
              const reply = await inMessageSpan(msg.topic, name, msg.offset, msg.traceparent, () => replyTo(msg));
              if (reply) replies.push(reply);
            }
            await port.sendRaw(replies);
            return msgs.map((_, i) => i);
          },
  });
  // A connector has no API of its own; this port serves only health and metrics, as the services do.
  const ops = await serveOps({
    port: Number(env.CONNECTOR_PORT ?? 0),
    host: env.CONNECTOR_HOST ?? '127.0.0.1',
    ready: kafkaReadiness(port),
  });
  log('info', 'connector ready', { agency: connector.agency, behaviour: behaviour.mode, health: `${ops.url}/health/ready` });
  const stop = async () => {
    await ops.stop();
    await sub.stop();
    await port.close();
    await stopTracing();
  };
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void stop().then(() => process.exit(0)));
  return stop;
}
