import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parseAllDocuments } from 'yaml';
import { CHECK_AGENCIES, checkRepliedTopic, contactInboundTopic, SUBMITTING_AGENCIES, TOPIC_DEFINITIONS, TOPICS } from '@mash/contracts';
import { kafkaYaml } from '../../scripts/kafkaManifests';
import { SERVICE_NODE_FLAGS } from '../../scripts/processes';
import { checkKafka, checkManifests } from './rules';
import { STRIMZI_SCHEMAS } from './strimziSchemas';

// kubernetes-models: each Kubernetes kind as a class that validates against the API's own schema.
const MODELS: Record<string, string> = {
  'v1/Namespace': 'kubernetes-models/v1/Namespace',
  'v1/ConfigMap': 'kubernetes-models/v1/ConfigMap',
  'v1/Service': 'kubernetes-models/v1/Service',
  'v1/Secret': 'kubernetes-models/v1/Secret',
  'apps/v1/Deployment': 'kubernetes-models/apps/v1/Deployment',
  'policy/v1/PodDisruptionBudget': 'kubernetes-models/policy/v1/PodDisruptionBudget',
  'networking.k8s.io/v1/NetworkPolicy': 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy',
  'networking.k8s.io/v1/Ingress': 'kubernetes-models/networking.k8s.io/v1/Ingress',
};

const dir = join(__dirname, '..', '..', 'infra', 'k8s');
const load = (text: string): any[] =>
  parseAllDocuments(text)
    .map((d) => {
      if (d.errors.length) throw new Error(d.errors.map((e) => e.message).join('; '));
      return d.toJS();
    })
    .filter(Boolean);

// Compiled once per kind: a schema per object would recompile the same thing fifty times.
const strimzi = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const strimziValidators = new Map<string, ReturnType<typeof strimzi.compile>>();

/** Every object checked against its kind's schema; the answer names the object and the rule. */
function schemaProblems(objects: any[]): string[] {
  const problems: string[] = [];
  for (const o of objects) {
    const where = `${o.kind}/${o.metadata?.name}`;
    if (o.apiVersion?.startsWith('kafka.strimzi.io/')) {
      const validate = strimziValidators.get(o.kind) ?? strimzi.compile(STRIMZI_SCHEMAS[o.kind] ?? { not: {} });
      strimziValidators.set(o.kind, validate);
      if (!validate(o)) problems.push(...(validate.errors ?? []).map((e) => `${where}: ${e.instancePath} ${e.message}`));
      continue;
    }
    const model = MODELS[`${o.apiVersion}/${o.kind}`];
    if (!model) {
      problems.push(`${where}: no schema for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Kind = require(model)[o.kind];
    try {
      new Kind(o).validate();
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message}`);
    }
  }
  return problems;
}

describe('infra/k8s: manifests an operator would apply', () => {
  const hub = load(readFileSync(join(dir, 'hub.yaml'), 'utf8'));
  const kafkaText = readFileSync(join(dir, 'kafka.yaml'), 'utf8');
  const kafka = load(kafkaText);
  const all = [...hub, ...kafka];

  it('kafka.yaml is what the contracts generate (npm run generate:k8s)', () => {
    expect(kafkaText === kafkaYaml() ? 'same' : 'stale: run npm run generate:k8s').toBe('same');
  });

  it('every object is valid against the Kubernetes schema of its kind, Strimzi resources against theirs', () => {
    expect(all.length).toBeGreaterThan(60);
    expect(schemaProblems(all)).toEqual([]);
  });

  it('pinned images, secrets referenced, restricted security context, budgets, spread, network policies, TLS', () => {
    expect(hub.filter((o) => o.kind === 'Deployment').map((d) => d.metadata.name)).toEqual(['gateway', 'triage', 'checks', 'notifier']);
    expect(checkManifests(all)).toEqual([]);
  });

  it('a topic per contract topic with replication 3 and min.insync 2; each principal writes only its own topics', () => {
    const users = [
      {
        name: 'gateway',
        writes: [
          TOPICS.contactReceived,
          TOPICS.decisionRecorded,
          TOPICS.consentOverride,
          TOPICS.legalHold,
          TOPICS.deadLetter,
          TOPICS.auditHead,
        ],
      },
      ...CHECK_AGENCIES.map((a) => ({ name: `connector-${a}`, writes: [checkRepliedTopic(a), TOPICS.deadLetter] })),
      ...SUBMITTING_AGENCIES.map((a) => ({ name: `adapter-${a}`, writes: [contactInboundTopic(a), TOPICS.deadLetter] })),
    ];
    expect(
      checkKafka(
        kafka,
        TOPIC_DEFINITIONS.map((t) => t.name),
        users,
      ),
    ).toEqual([]);
    const writers = (topic: string) =>
      kafka
        .filter(
          (o) =>
            o.kind === 'KafkaUser' &&
            o.spec.authorization.acls.some((a: any) => a.resource.name === topic && a.operations.includes('Write')),
        )
        .map((o) => o.metadata.name);
    expect(writers(TOPICS.caseRated)).toEqual(['triage']);
    expect(writers(TOPICS.decisionRecorded)).toEqual(['gateway']);
    expect(writers(TOPICS.consentOverride)).toEqual(['gateway']);
    // Each Deployment authenticates as the KafkaUser of its name, with the password Strimzi writes.
    for (const d of hub.filter((o) => o.kind === 'Deployment')) {
      const env = d.spec.template.spec.containers[0].env;
      expect(env).toContainEqual({ name: 'KAFKA_SASL_PASSWORD', valueFrom: { secretKeyRef: { name: d.metadata.name, key: 'password' } } });
      expect(kafka.some((o) => o.kind === 'KafkaUser' && o.metadata.name === d.metadata.name)).toBe(true);
    }
  });

  it('the checks fail by name where an operator would object', () => {
    const broken = structuredClone(all);
    const gateway = broken.find((o) => o.kind === 'Deployment' && o.metadata.name === 'gateway');
    gateway.spec.template.spec.containers[0].image = 'mash-hub:latest';
    delete gateway.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem;
    gateway.spec.template.spec.containers[0].env.push({ name: 'MASH_CREDENTIALS', value: 'police=adapter:CHANGE-ME-LONG-RANDOM' });
    gateway.spec.template.spec.topologySpreadConstraints = [];
    gateway.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    broken.splice(
      broken.findIndex((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'triage'),
      1,
    );
    broken.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'mash-secrets', namespace: 'mash' },
      stringData: { token: 'CHANGE-ME' },
    });
    broken.find((o) => o.kind === 'KafkaTopic' && o.metadata.name === TOPICS.caseRated).spec.replicas = 1;
    broken.find((o) => o.kind === 'KafkaTopic' && o.metadata.name === TOPICS.caseReady).spec.replica = 3;
    broken
      .find((o) => o.kind === 'KafkaUser' && o.metadata.name === 'connector-police')
      .spec.authorization.acls.push({ resource: { type: 'topic', name: TOPICS.caseRated, patternType: 'literal' }, operations: ['Write'] });

    expect(checkManifests(broken)).toEqual(
      expect.arrayContaining([
        "Deployment/gateway: container gateway: image 'mash-hub:latest' must be pinned to a version or digest, never latest",
        'Deployment/gateway: container gateway: readOnlyRootFilesystem must be true',
        'Deployment/gateway: container gateway: MASH_CREDENTIALS must come from a secretKeyRef, not a literal value',
        'Deployment/gateway: needs a topology spread across nodes (kubernetes.io/hostname) selecting its own pods',
        'Deployment/triage: needs a PodDisruptionBudget selecting its pods',
        'Secret/mash-secrets: secrets are referenced (secretKeyRef), never inlined in a manifest',
      ]),
    );
    const users = [{ name: 'connector-police', writes: [checkRepliedTopic('police'), TOPICS.deadLetter] }];
    expect(
      checkKafka(
        broken.filter((o) => o.apiVersion.startsWith('kafka.strimzi.io/')),
        [TOPICS.caseRated],
        users,
      ),
    ).toEqual([
      `KafkaTopic/${TOPICS.caseRated}: replicas 3 and min.insync.replicas 2`,
      expect.stringMatching(/^KafkaUser\/connector-police: writes .*literal:mash\.case\.rated\.v1/),
    ]);
    expect(schemaProblems(broken)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^KafkaTopic\/mash\.case\.ready\.v1: .*must NOT have additional properties/),
        expect.stringMatching(/^Deployment\/gateway: .*containerPort must be integer/),
      ]),
    );
  });

  it('the image starts every service with the V8 flags npm start and the test hubs use', () => {
    const dockerfile = readFileSync(join(dir, '..', 'Dockerfile'), 'utf8');
    const env = /^ENV NODE_OPTIONS="([^"]*)"$/m.exec(dockerfile)?.[1];
    expect(env?.split(' ')).toEqual(SERVICE_NODE_FLAGS);
  });
});
