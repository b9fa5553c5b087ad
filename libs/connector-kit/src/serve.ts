import { randomUUID } from 'node:crypto';
import { checkRepliedTopic, checkRequestedTopic, CheckRequested } from '@mash/contracts';
import { KafkaPort, log, messagingConfigFromEnv, setLogService } from '@mash/messaging';
import { behaviourFromEnv, handleCheckRequest } from './behaviour';
import { Connector } from './connector';

/**
 * Runs a connector as its own process: reads only its agency's request topic, answers on its
 * agency's reply topic. It keeps no state, so a redelivered request is simply answered again and
 * the checks service ignores the second reply.
 */
export async function serveConnector(connector: Connector): Promise<() => Promise<void>> {
  const name = `connector-${connector.agency}`;
  setLogService(name);
  const behaviour = behaviourFromEnv();
  const port = new KafkaPort(messagingConfigFromEnv(name));
  await port.ensureTopics();
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
        const env = { id: randomUUID(), type: topic, occurredAt: new Date().toISOString(), producer: name, key: request.caseId, data: outcome.data };
        await port.sendRaw([{ topic, key: request.caseId, value: JSON.stringify(env) }]);
      }
      log('info', 'check request handled', { caseId: request.caseId, requestId: request.requestId, outcome: outcome.kind });
    },
  });
  log('info', 'connector ready', { agency: connector.agency, behaviour: behaviour.mode });
  const stop = async () => {
    await sub.stop();
    await port.close();
  };
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void stop().then(() => process.exit(0)));
  return stop;
}
