import { randomUUID } from 'node:crypto';
import { checkRepliedTopic, checkRequestedTopic, CheckRequested } from '@mash/contracts';
import { KafkaPort, log, messagingConfigFromEnv, setLogService, startTracing, stopTracing } from '@mash/messaging/standalone';
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
  const behaviour = behaviourFromEnv();
  const port = new KafkaPort(messagingConfigFromEnv(name));
  await port.prepareTopics();
  const sub = await port.subscribe({
    group: name,
    topics: [checkRequestedTopic(connector.agency)],
    handle: async ({ envelope }) => {
      const request = envelope.data as CheckRequested;
      const outcome = await handleCheckRequest(connector, request, { behaviour });
      const topic = checkRepliedTopic(connector.agency);
      if (outcome.kind === 'reply') {
        await port.publish([{ topic, key: request.caseId, data: outcome.reply, correlationId: request.requestId }]);
      } else if (outcome.kind === 'malformed') {
        // Deliberately past the producer's validation: the hub must catch it on receipt.
        const env = {
          id: randomUUID(),
          type: topic,
          occurredAt: hubNow().toISOString(),
          producer: name,
          key: request.caseId,
          data: outcome.data,
        };
        await port.sendRaw([{ topic, key: request.caseId, value: JSON.stringify(env) }]);
      }
      log('info', 'check request handled', { caseId: request.caseId, requestId: request.requestId, outcome: outcome.kind });
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
