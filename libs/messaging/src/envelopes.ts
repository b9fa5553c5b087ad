import { randomUUID } from 'node:crypto';
import { Envelope, topicDefinition, validateMessage } from '@mash/contracts';
import { now as hubNow } from '@mash/platform/clock';

export interface Outgoing<T = unknown> {
  /** Logical topic name from @mash/contracts. */
  topic: string;
  /** The case id (or contact id before a case exists): the partition key, so per-case order holds. */
  key: string;
  data: T;
  /** Set when the id must be stable across retries of the producing step. */
  id?: string;
  correlationId?: string;
}

export class InvalidMessageError extends Error {
  constructor(
    readonly topic: string,
    readonly errors: { path: string; rule: string; message: string }[],
  ) {
    super(`message for ${topic} breaks its contract: ${errors.map((e) => `${e.path} ${e.rule}`).join('; ')}`);
  }
}

/** Wraps data in the envelope and checks it against the topic's schema: producers validate before sending. */
export function envelopeFor<T>(msg: Outgoing<T>, producer: string, now = hubNow()): Envelope<T> {
  if (!topicDefinition(msg.topic)) throw new InvalidMessageError(msg.topic, [{ path: '/', rule: 'topic', message: 'unknown topic' }]);
  const env: Envelope<T> = {
    id: msg.id ?? randomUUID(),
    type: msg.topic,
    occurredAt: now.toISOString(),
    producer,
    key: msg.key,
    ...(msg.correlationId ? { correlationId: msg.correlationId } : {}),
    data: msg.data,
  };
  const result = validateMessage(msg.topic, env);
  if (!result.ok) throw new InvalidMessageError(msg.topic, result.errors);
  return env;
}

/**
 * Kafka headers for an enveloped record, so brokers' tools, schema registries and consumers that
 * route before parsing see what a message is without reading it. Declared in the AsyncAPI
 * document (ENVELOPE_HEADERS in @mash/contracts). A value that is no envelope (a dead letter's raw
 * bytes replayed as they came) gets no headers rather than wrong ones.
 */
export function envelopeHeaders(value: string): Record<string, string> | undefined {
  let env: Partial<Envelope>;
  try {
    env = JSON.parse(value);
  } catch {
    return undefined;
  }
  if (!env || typeof env.id !== 'string' || typeof env.type !== 'string') return undefined;
  return {
    'content-type': 'application/json',
    'mash-message-id': env.id,
    'mash-message-type': env.type,
    ...(typeof env.correlationId === 'string' ? { 'mash-correlation-id': env.correlationId } : {}),
  };
}
