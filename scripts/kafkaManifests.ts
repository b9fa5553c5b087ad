import { stringify } from 'yaml';
import { KAFKA_GRANTS, topicsUnderRetention } from '@mash/contracts';
import { loadPolicyFromEnv } from '@mash/policy';

/**
 * The Kafka side of infra/k8s, generated from @mash/contracts so it cannot drift from the topics
 * the hub uses: a Strimzi Kafka cluster (KRaft, three dual-role nodes, TLS + SCRAM-SHA-512, simple
 * authorisation), a KafkaTopic per contract topic (replication factor 3, min.insync.replicas 2),
 * and a KafkaUser per service, connector and adapter with only the ACLs its role needs: a connector
 * reads its agency's request topic and writes its reply topic; an adapter writes its inbound topic
 * and reads its notice topic; only triage writes ratings; only the gateway writes decisions and
 * consent overrides. Nobody but the topic operator creates topics.
 */
// The hub's namespace: the user operator writes each KafkaUser's password Secret where the pods that use it run.
export const KAFKA_NAMESPACE = 'mash';
export const KAFKA_CLUSTER = 'mash-kafka';
const PARTITIONS = 12;
const labels = { 'strimzi.io/cluster': KAFKA_CLUSTER };

type Acl = { resource: { type: 'topic' | 'group' | 'cluster'; name?: string; patternType?: 'literal' | 'prefix' }; operations: string[] };
const topic = (name: string, operations: string[]): Acl => ({ resource: { type: 'topic', name, patternType: 'literal' }, operations });
const group = (name: string, operations: string[], patternType: 'literal' | 'prefix' = 'literal'): Acl => ({
  resource: { type: 'group', name, patternType },
  operations,
});

/**
 * One KafkaUser per principal of libs/contracts/src/acl.ts, with exactly the grants the local
 * provisioning step gives it (libs/messaging provision.ts): the cluster and `npm start` authorise
 * alike, from one definition.
 */
export function kafkaUsers(): { name: string; acls: Acl[] }[] {
  return KAFKA_GRANTS.map((g) => ({
    name: g.principal,
    acls: [
      ...g.read.map((t) => topic(t, ['Read', 'Describe'])),
      ...g.write.map((t) => topic(t, ['Write', 'Describe'])),
      ...g.describe.filter((t) => !g.read.includes(t) && !g.write.includes(t)).map((t) => topic(t, ['Describe'])),
      ...g.groups.map((n) => group(n, ['Read', 'Describe'])),
      ...g.groupPrefixes.map((n) => group(n, ['Read', 'Describe'], 'prefix')),
      ...g.describeGroups.filter((n) => !g.groups.includes(n)).map((n) => group(n, ['Describe'])),
    ],
  }));
}

export function kafkaManifests(): object[] {
  const meta = (name: string) => ({ name, namespace: KAFKA_NAMESPACE, labels });
  return [
    {
      apiVersion: 'kafka.strimzi.io/v1beta2',
      kind: 'KafkaNodePool',
      metadata: meta('dual-role'),
      spec: {
        replicas: 3,
        roles: ['controller', 'broker'],
        storage: {
          type: 'jbod',
          volumes: [{ id: 0, type: 'persistent-claim', size: '100Gi', deleteClaim: false, kraftMetadata: 'shared' }],
        },
        resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { memory: '2Gi' } },
        template: {
          pod: {
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: 'topology.kubernetes.io/zone',
                whenUnsatisfiable: 'ScheduleAnyway',
                labelSelector: { matchLabels: { 'strimzi.io/pool-name': 'dual-role' } },
              },
              {
                maxSkew: 1,
                topologyKey: 'kubernetes.io/hostname',
                whenUnsatisfiable: 'DoNotSchedule',
                labelSelector: { matchLabels: { 'strimzi.io/pool-name': 'dual-role' } },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'kafka.strimzi.io/v1beta2',
      kind: 'Kafka',
      metadata: {
        name: KAFKA_CLUSTER,
        namespace: KAFKA_NAMESPACE,
        annotations: { 'strimzi.io/node-pools': 'enabled', 'strimzi.io/kraft': 'enabled' },
      },
      spec: {
        kafka: {
          version: '4.1.0',
          listeners: [{ name: 'tls', port: 9093, type: 'internal', tls: true, authentication: { type: 'scram-sha-512' } }],
          authorization: { type: 'simple' },
          config: {
            'default.replication.factor': 3,
            'min.insync.replicas': 2,
            'offsets.topic.replication.factor': 3,
            'transaction.state.log.replication.factor': 3,
            'transaction.state.log.min.isr': 2,
            'auto.create.topics.enable': false,
          },
          // Strimzi keeps the brokers available during voluntary disruptions (one broker at a time).
          template: { podDisruptionBudget: { maxUnavailable: 1 } },
        },
        entityOperator: { topicOperator: {}, userOperator: {} },
      },
    },
    // Retention under the locality's policy (MASH_POLICY, London by default), as provisioning sets it.
    ...topicsUnderRetention(loadPolicyFromEnv().retention.mashRecordMonths).map((t) => ({
      apiVersion: 'kafka.strimzi.io/v1beta2',
      kind: 'KafkaTopic',
      metadata: meta(t.name),
      spec: {
        partitions: PARTITIONS,
        replicas: 3,
        config: {
          'min.insync.replicas': 2,
          'retention.ms': t.retentionMs,
          ...(t.segmentMs !== undefined ? { 'segment.ms': t.segmentMs } : {}),
          'cleanup.policy': t.cleanupPolicy,
        },
      },
    })),
    ...kafkaUsers().map((u) => ({
      apiVersion: 'kafka.strimzi.io/v1beta2',
      kind: 'KafkaUser',
      metadata: meta(u.name),
      spec: { authentication: { type: 'scram-sha-512' }, authorization: { type: 'simple', acls: u.acls } },
    })),
  ];
}

export const KAFKA_YAML_HEADER = `# Generated from libs/contracts by npm run generate:k8s (scripts/kafkaManifests.ts): do not edit.
# Strimzi: the Kafka cluster, a KafkaTopic per contract topic (replication factor 3,
# min.insync.replicas 2) and a KafkaUser per service, connector and adapter with only its ACLs.
# Apply it to the namespace of hub.yaml after installing the Strimzi operator.
`;

export function kafkaYaml(): string {
  return (
    KAFKA_YAML_HEADER +
    kafkaManifests()
      .map((m) => `---\n${stringify(m, { lineWidth: 0 })}`)
      .join('')
  );
}
