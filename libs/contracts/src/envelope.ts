/**
 * Every message on every topic is an envelope in the spirit of CloudEvents: an id that consumers
 * remember to stay idempotent, the topic kind, when and by whom it was produced, the case it is
 * about (also the Kafka key, so per-case order holds), and the data checked by the topic's schema.
 */
export interface Envelope<T = unknown> {
  id: string;
  type: string;
  occurredAt: string;
  producer: string;
  key: string;
  correlationId?: string;
  data: T;
}

export const envelopeSchema = {
  $id: 'envelope',
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type', 'occurredAt', 'producer', 'key', 'data'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 100 },
    type: { type: 'string', minLength: 1, maxLength: 200 },
    occurredAt: { type: 'string', format: 'date-time' },
    producer: { type: 'string', minLength: 1, maxLength: 100 },
    key: { type: 'string', minLength: 1, maxLength: 200 },
    correlationId: { type: 'string', maxLength: 200 },
    data: { type: 'object' },
  },
} as const;

/**
 * The Kafka headers every enveloped record carries (set by the messaging port), repeating what a
 * consumer or a broker tool needs before it parses the value. The envelope stays the source of truth.
 */
export const envelopeHeadersSchema = {
  type: 'object',
  required: ['content-type', 'mash-message-id', 'mash-message-type'],
  properties: {
    'content-type': { type: 'string', const: 'application/json' },
    'mash-message-id': { type: 'string', maxLength: 100, description: 'envelope.id: what consumers remember to stay idempotent.' },
    'mash-message-type': { type: 'string', maxLength: 200, description: 'envelope.type: the logical topic (without a deployment prefix).' },
    'mash-correlation-id': {
      type: 'string',
      maxLength: 200,
      description: 'envelope.correlationId, when the message answers or chases another (a check request id).',
    },
  },
} as const;
