import { envelopeHeadersSchema, envelopeSchema } from '../envelope';
import { problemSchema } from '../problem';
import { validExamples } from '../examples';
import { commonSchema } from '../schemas/common';
import { contactSchema } from '../schemas/contact';
import { eventSchemas } from '../schemas/events';
import { TOPIC_DEFINITIONS, TopicDefinition, TopicKind } from '../topics';

/**
 * The contracts as documents other people's tools read: an AsyncAPI 3.0 description of every topic
 * (for agencies writing adapters and connectors, and for schema registries), and the contact as an
 * OpenAPI 3.1 component (for the gateway's /openapi.json). Both are generated from the same schemas
 * the services validate with, so they cannot drift from what the hub enforces.
 */

const SCHEMAS = '#/components/schemas/';
const schemaName = (kind: TopicKind) => kind.charAt(0).toUpperCase() + kind.slice(1);

/**
 * Our schemas reference each other by ajv id ("common#/definitions/id", "contact"); a standalone
 * document needs local references. Every $id goes, every $ref points into components.schemas.
 */
function localise(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(localise);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$id') continue;
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = localRef(value);
      continue;
    }
    out[key] = localise(value);
  }
  return out;
}

function localRef(ref: string): string {
  const common = /^(?:common)?#\/definitions\/(.+)$/.exec(ref);
  if (common) return SCHEMAS + common[1];
  if (ref === 'contact') return `${SCHEMAS}Contact`;
  if (ref in eventSchemas) return SCHEMAS + schemaName(ref as TopicKind);
  throw new Error(`no local name for $ref '${ref}'`);
}

/** Every schema a message can reach: the common definitions, the contact and each topic's data. */
function componentSchemas(): Record<string, unknown> {
  const schemas: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(commonSchema.definitions)) schemas[name] = localise(definition);
  schemas.Contact = localise(contactSchema);
  for (const kind of Object.keys(eventSchemas) as TopicKind[]) schemas[schemaName(kind)] = localise(eventSchemas[kind]);
  return schemas;
}

/** The envelope with `data` narrowed to the topic's schema: what a consumer actually reads. */
function envelopeFor(kind: TopicKind): object {
  const env = localise(envelopeSchema) as { properties: Record<string, unknown> };
  return { ...env, properties: { ...env.properties, data: { $ref: SCHEMAS + schemaName(kind) } } };
}

/** The hub's side of each kind: most it publishes; adapters and connectors publish the rest to it. */
const HUB_RECEIVES: ReadonlySet<TopicKind> = new Set(['contactInbound', 'checkReplied']);

const channelId = (topic: TopicDefinition) => topic.name.replace(/[^A-Za-z0-9_-]/g, '_');

export function buildAsyncApi(): object {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};

  for (const kind of new Set(TOPIC_DEFINITIONS.map((t) => t.kind))) {
    messages[kind] = {
      name: kind,
      title: schemaName(kind),
      contentType: 'application/json',
      headers: { $ref: '#/components/schemas/EnvelopeHeaders' },
      correlationId: { $ref: '#/components/correlationIds/request' },
      payload: envelopeFor(kind),
      bindings: {
        kafka: {
          key: {
            type: 'string',
            description: 'The case id (equal to envelope.key): every message about a case shares a partition, so per-case order holds.',
          },
          bindingVersion: '0.5.0',
        },
      },
      examples: [
        {
          name: `${kind}-example`,
          headers: { 'content-type': 'application/json', 'mash-message-id': `msg-${kind}-example`, 'mash-message-type': kind },
          payload: {
            id: `msg-${kind}-example`,
            type: kind,
            occurredAt: '2026-11-21T07:02:11Z',
            producer: 'asyncapi-example',
            key: 'case-2026-000123',
            data: validExamples[kind],
          },
        },
      ],
    };
  }

  for (const topic of TOPIC_DEFINITIONS) {
    const id = channelId(topic);
    channels[id] = {
      address: topic.name,
      description: topic.description,
      messages: { [topic.kind]: { $ref: `#/components/messages/${topic.kind}` } },
      bindings: {
        kafka: {
          topic: topic.name,
          partitions: topic.partitions,
          topicConfiguration: { 'cleanup.policy': [topic.cleanupPolicy], 'retention.ms': topic.retentionMs },
          bindingVersion: '0.5.0',
        },
      },
    };
    const receives = HUB_RECEIVES.has(topic.kind);
    operations[`${receives ? 'receive' : 'send'}_${id}`] = {
      action: receives ? 'receive' : 'send',
      channel: { $ref: `#/channels/${id}` },
      summary: receives ? `The hub consumes ${topic.name}.` : `The hub publishes ${topic.name}.`,
      messages: [{ $ref: `#/channels/${id}/messages/${topic.kind}` }],
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'MASH integration hub: topics',
      version: '1.0.0',
      description:
        "Every Kafka topic of the Multi-Agency Safeguarding Hub. Each message is an envelope (id, type, occurredAt, producer, key = case id, data); data is checked against the topic's schema by producers before sending and by consumers on receipt. Topic names carry the major version: a breaking change is a new topic.",
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    defaultContentType: 'application/json',
    servers: {
      local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'Single-node Kafka for local runs (KAFKA_BROKERS).' },
    },
    channels,
    operations,
    components: {
      schemas: { ...componentSchemas(), EnvelopeHeaders: envelopeHeadersSchema },
      messages,
      correlationIds: {
        request: {
          description:
            'Ties a reply or a chase to the check request it answers (envelope.correlationId, also the mash-correlation-id header). Messages about one case are also tied by the Kafka key, the case id.',
          location: '$message.header#/mash-correlation-id',
        },
      },
    },
  };
}

/**
 * The contact (and the error shape the gateway answers with) as OpenAPI 3.1 components, to merge
 * under `components` of the gateway's document. OpenAPI 3.1 schemas are JSON Schema 2020-12, which
 * reads our draft-07 keywords the same way; `definitions` become components too.
 */
export function buildOpenApiComponents(): object {
  const all = componentSchemas();
  const schemas: Record<string, unknown> = {};
  // Only what the contact reaches: an OpenAPI document of the front door need not carry the case events.
  const wanted = ['Contact'];
  while (wanted.length) {
    const name = wanted.pop()!;
    if (name in schemas) continue;
    schemas[name] = all[name];
    for (const ref of JSON.stringify(all[name]).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) wanted.push(ref[1]);
  }
  (schemas.Contact as Record<string, unknown>).examples = [validExamples.contactReceived.contact, validExamples.contactInbound.submission];
  schemas.FieldError = {
    type: 'object',
    additionalProperties: false,
    required: ['path', 'rule', 'message'],
    description: 'One broken rule: a JSON pointer into the submitted body, the rule, and a sentence for people.',
    properties: {
      path: { type: 'string', examples: ['/consent'] },
      rule: { type: 'string', examples: ['required'] },
      message: { type: 'string', examples: ['is required'] },
    },
  };
  schemas.Problem = problemSchema;
  return { schemas };
}
