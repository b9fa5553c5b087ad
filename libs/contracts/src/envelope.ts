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
