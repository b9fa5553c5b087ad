/**
 * The parts of Strimzi's v1beta2 resources these manifests use, as JSON Schemas of our own: enough
 * to catch a misspelt field, a wrong type or a value the operator does not know (unknown fields
 * are refused, so a typo cannot pass silently).
 */
const name = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 253 };
const resource = (kind: string, spec: object) => ({
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
  properties: {
    apiVersion: { const: 'kafka.strimzi.io/v1beta2' },
    kind: { const: kind },
    metadata: {
      type: 'object',
      required: ['name', 'namespace'],
      properties: {
        name,
        namespace: name,
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        annotations: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    spec,
  },
});
const obj = (required: string[], properties: Record<string, unknown>) => ({
  type: 'object',
  required,
  additionalProperties: false,
  properties,
});

export const STRIMZI_SCHEMAS: Record<string, object> = {
  KafkaTopic: resource(
    'KafkaTopic',
    obj(['partitions', 'replicas'], {
      topicName: { type: 'string' },
      partitions: { type: 'integer', minimum: 1 },
      replicas: { type: 'integer', minimum: 1, maximum: 32767 },
      config: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
    }),
  ),
  KafkaUser: resource(
    'KafkaUser',
    obj(['authentication', 'authorization'], {
      authentication: obj(['type'], { type: { enum: ['tls', 'tls-external', 'scram-sha-512'] } }),
      authorization: obj(['type', 'acls'], {
        type: { const: 'simple' },
        acls: {
          type: 'array',
          minItems: 1,
          items: obj(['resource', 'operations'], {
            resource: obj(['type'], {
              type: { enum: ['topic', 'group', 'cluster', 'transactionalId'] },
              name: { type: 'string', minLength: 1 },
              patternType: { enum: ['literal', 'prefix'] },
            }),
            operations: {
              type: 'array',
              minItems: 1,
              items: {
                enum: [
                  'Read',
                  'Write',
                  'Create',
                  'Delete',
                  'Alter',
                  'Describe',
                  'ClusterAction',
                  'AlterConfigs',
                  'DescribeConfigs',
                  'IdempotentWrite',
                  'All',
                ],
              },
            },
            host: { type: 'string' },
          }),
        },
      }),
    }),
  ),
  Kafka: resource(
    'Kafka',
    obj(['kafka'], {
      kafka: obj(['listeners'], {
        version: { type: 'string', pattern: '^\\d+\\.\\d+\\.\\d+$' },
        listeners: {
          type: 'array',
          minItems: 1,
          items: obj(['name', 'port', 'type', 'tls'], {
            name: { type: 'string', pattern: '^[a-z0-9]{1,11}$' },
            port: { type: 'integer', minimum: 9092 },
            type: { enum: ['internal', 'route', 'loadbalancer', 'nodeport', 'ingress', 'cluster-ip'] },
            tls: { type: 'boolean' },
            authentication: obj(['type'], { type: { enum: ['tls', 'scram-sha-512', 'oauth', 'custom'] } }),
          }),
        },
        authorization: obj(['type'], { type: { enum: ['simple', 'opa', 'keycloak', 'custom'] } }),
        config: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
        template: { type: 'object' },
      }),
      entityOperator: obj([], { topicOperator: { type: 'object' }, userOperator: { type: 'object' } }),
    }),
  ),
  KafkaNodePool: resource(
    'KafkaNodePool',
    obj(['replicas', 'roles', 'storage'], {
      replicas: { type: 'integer', minimum: 1 },
      roles: { type: 'array', minItems: 1, items: { enum: ['controller', 'broker'] } },
      storage: { type: 'object', required: ['type'], properties: { type: { enum: ['jbod', 'persistent-claim', 'ephemeral'] } } },
      resources: { type: 'object' },
      template: { type: 'object' },
    }),
  ),
};
