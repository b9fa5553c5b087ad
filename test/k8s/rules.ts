/**
 * What an operator expects of manifests they would apply, as checks that name the object and the
 * rule: pinned images, no inlined secrets, the restricted security context, a disruption budget and
 * topology spread for every deployment, network policies, TLS at the ingress, and Strimzi topics
 * and users matching the contracts.
 */
type Obj = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
  data?: unknown;
  stringData?: unknown;
};

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  !!selector && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

const SECRET_NAMES = /PASSWORD|SECRET|TOKEN|CREDENTIAL|DATABASE_URL|KEY/i;

export function checkManifests(objects: Obj[]): string[] {
  const problems: string[] = [];
  const say = (o: Obj, rule: string) => problems.push(`${o.kind}/${o.metadata?.name}: ${rule}`);
  const of = (kind: string) => objects.filter((o) => o.kind === kind);

  for (const o of of('Secret')) say(o, 'secrets are referenced (secretKeyRef), never inlined in a manifest');

  for (const d of of('Deployment')) {
    const pod = d.spec.template.spec;
    const podLabels = d.spec.template.metadata.labels;
    const psc = pod.securityContext ?? {};
    if (psc.runAsNonRoot !== true) say(d, 'pod securityContext.runAsNonRoot must be true');
    if (psc.seccompProfile?.type !== 'RuntimeDefault') say(d, 'pod seccompProfile must be RuntimeDefault');
    if (pod.automountServiceAccountToken !== false)
      say(d, 'automountServiceAccountToken must be false (the hub does not call the API server)');
    for (const c of pod.containers) {
      const sc = c.securityContext ?? {};
      if (sc.allowPrivilegeEscalation !== false) say(d, `container ${c.name}: allowPrivilegeEscalation must be false`);
      if (sc.readOnlyRootFilesystem !== true) say(d, `container ${c.name}: readOnlyRootFilesystem must be true`);
      if (!(sc.capabilities?.drop ?? []).includes('ALL')) say(d, `container ${c.name}: capabilities must drop ALL`);
      if (!/^[^:@]+(:[\w.-]+)?(@sha256:[0-9a-f]{64})?$/.test(c.image) || /:latest$/.test(c.image) || !/[:@]/.test(c.image))
        say(d, `container ${c.name}: image '${c.image}' must be pinned to a version or digest, never latest`);
      for (const e of c.env ?? [])
        if (SECRET_NAMES.test(e.name) && e.value !== undefined)
          say(d, `container ${c.name}: ${e.name} must come from a secretKeyRef, not a literal value`);
      if (!c.readinessProbe || !c.livenessProbe) say(d, `container ${c.name}: needs readiness and liveness probes`);
      if (!c.resources?.limits?.memory) say(d, `container ${c.name}: needs a memory limit`);
    }
    const spread = (pod.topologySpreadConstraints ?? []).filter((t: any) => matches(t.labelSelector?.matchLabels, podLabels));
    if (!spread.some((t: any) => t.topologyKey === 'kubernetes.io/hostname'))
      say(d, 'needs a topology spread across nodes (kubernetes.io/hostname) selecting its own pods');
    if (
      !of('PodDisruptionBudget').some(
        (p) => p.metadata.namespace === d.metadata.namespace && matches(p.spec.selector?.matchLabels, podLabels),
      )
    )
      say(d, 'needs a PodDisruptionBudget selecting its pods');
    const policies = of('NetworkPolicy').filter(
      (p) => p.metadata.namespace === d.metadata.namespace && matches(p.spec.podSelector?.matchLabels ?? {}, podLabels),
    );
    const denies = (type: string) => policies.some((p) => (p.spec.policyTypes ?? []).includes(type));
    if (!denies('Ingress') || !denies('Egress')) say(d, 'needs NetworkPolicies covering its ingress and egress');
    if (d.spec.replicas < 2) say(d, 'needs at least two replicas');
  }

  for (const i of of('Ingress')) {
    const tlsHosts = new Set((i.spec.tls ?? []).flatMap((t: any) => t.hosts ?? []));
    for (const r of i.spec.rules ?? []) if (!tlsHosts.has(r.host)) say(i, `host ${r.host} must be served with TLS`);
  }
  for (const s of of('Service'))
    for (const p of s.spec.ports ?? [])
      if (p.port === 443) say(s, 'a Service on 443 that forwards plain HTTP misleads: TLS ends at the ingress');
  return problems;
}

export function checkKafka(objects: Obj[], topics: string[], users: { name: string; writes: string[] }[]): string[] {
  const problems: string[] = [];
  const kafka = objects.find((o) => o.kind === 'Kafka');
  if (!kafka) problems.push('no Kafka cluster');
  else {
    const config = kafka.spec.kafka.config;
    if (config['min.insync.replicas'] !== 2 || config['default.replication.factor'] !== 3)
      problems.push('Kafka: default.replication.factor 3 and min.insync.replicas 2');
    if (config['auto.create.topics.enable'] !== false) problems.push('Kafka: topics are provisioned, never auto-created');
    if (kafka.spec.kafka.authorization?.type !== 'simple') problems.push('Kafka: ACLs (authorization simple) are enforced');
    for (const l of kafka.spec.kafka.listeners)
      if (!l.tls || !l.authentication) problems.push(`Kafka: listener ${l.name} must use TLS and authentication`);
  }
  const kafkaTopics = new Map(objects.filter((o) => o.kind === 'KafkaTopic').map((t) => [t.metadata.name, t]));
  for (const name of topics) {
    const t = kafkaTopics.get(name);
    if (!t) problems.push(`KafkaTopic/${name}: missing`);
    else if (t.spec.replicas !== 3 || t.spec.config?.['min.insync.replicas'] !== 2)
      problems.push(`KafkaTopic/${name}: replicas 3 and min.insync.replicas 2`);
  }
  const kafkaUsers = objects.filter((o) => o.kind === 'KafkaUser');
  for (const u of users) {
    const ku = kafkaUsers.find((k) => k.metadata.name === u.name);
    if (!ku) {
      problems.push(`KafkaUser/${u.name}: missing`);
      continue;
    }
    const writes = ku.spec.authorization.acls
      .filter((a: any) => a.resource.type === 'topic' && a.operations.includes('Write'))
      .map((a: any) => `${a.resource.patternType}:${a.resource.name}`);
    const expected = u.writes.map((w) => `literal:${w}`);
    if (JSON.stringify([...writes].sort()) !== JSON.stringify([...expected].sort()))
      problems.push(`KafkaUser/${u.name}: writes ${writes.join(', ')}; expected exactly ${expected.join(', ')}`);
  }
  return problems;
}
