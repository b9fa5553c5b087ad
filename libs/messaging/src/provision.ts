import {
  AclEntry,
  AclOperationTypes,
  AclPermissionTypes,
  AclResourceTypes,
  Admin,
  ConfigResourceTypes,
  ResourcePatternTypes,
} from 'kafkajs';
import { KAFKA_GRANTS, KafkaGrant, TOPIC_DEFINITIONS, TopicDefinition } from '@mash/contracts';
import { topicConfigEntries, type KafkaPort } from './kafkaPort';

/**
 * The broker ACL entries that express the grants for one prefix: LITERAL names of the prefixed
 * topics and groups, so a run (or a locality) is granted its own topics and nothing that happens
 * to share a name's beginning. Only tools that make a fresh group per run get a PREFIXED group.
 */
export function aclEntries(prefix: string, grants: readonly KafkaGrant[] = KAFKA_GRANTS): AclEntry[] {
  const out: AclEntry[] = [];
  const add = (
    g: KafkaGrant,
    resourceType: AclResourceTypes,
    name: string,
    operation: AclOperationTypes,
    pattern = ResourcePatternTypes.LITERAL,
  ) =>
    out.push({
      resourceType,
      resourceName: prefix + name,
      resourcePatternType: pattern,
      principal: `User:${g.principal}`,
      host: '*',
      operation,
      permissionType: AclPermissionTypes.ALLOW,
    });
  for (const g of grants) {
    for (const t of g.read) add(g, AclResourceTypes.TOPIC, t, AclOperationTypes.READ);
    for (const t of g.write) add(g, AclResourceTypes.TOPIC, t, AclOperationTypes.WRITE);
    for (const t of g.describe) add(g, AclResourceTypes.TOPIC, t, AclOperationTypes.DESCRIBE);
    for (const group of g.groups) add(g, AclResourceTypes.GROUP, group, AclOperationTypes.READ);
    for (const p of g.groupPrefixes) add(g, AclResourceTypes.GROUP, p, AclOperationTypes.READ, ResourcePatternTypes.PREFIXED);
    for (const group of g.describeGroups) add(g, AclResourceTypes.GROUP, group, AclOperationTypes.DESCRIBE);
  }
  return out;
}

export interface ProvisionReport {
  topics: number;
  acls: number;
  /** Entries on the broker for this prefix's resources that acl.ts no longer grants, now deleted. */
  revoked: number;
}

/**
 * Whether a broker resource belongs to the hub under `prefix`: a hub topic (`mash.`...) or a
 * consumer group name (no dots) directly under the prefix. Another run's or locality's resources
 * carry a prefix of their own (`<run>.mash...`, `<run>.gateway`), so they never match the empty
 * prefix of `npm start`, and provisioning one hub never revokes another's access (docs/trust-boundary.md).
 */
export function ownedResource(prefix: string, resourceType: number, resourceName: string): boolean {
  if (resourceType !== AclResourceTypes.TOPIC && resourceType !== AclResourceTypes.GROUP) return false;
  if (!resourceName.startsWith(prefix)) return false;
  const rest = resourceName.slice(prefix.length);
  return resourceType === AclResourceTypes.TOPIC ? rest.startsWith('mash.') : /^[a-z][a-z0-9-]*$/.test(rest);
}

/**
 * The one step that creates the hub's topics and grants each principal its access; run as admin
 * (a super user) before the services start. Idempotent: existing topics are kept and an ACL that
 * already exists is not added twice. Every topic's retention is then set to what `defs` say,
 * existing topics included: callers pass the definitions under the locality's retention period
 * (topicsUnderRetention), so a topic created earlier (by a service, or under a longer period)
 * keeps case content no longer than the policy allows. It also revokes: an entry on one of this
 * prefix's topics or groups that acl.ts no longer grants (a principal removed, a right narrowed) is
 * deleted, so the broker holds exactly what acl.ts says.
 */
export async function provisionKafka(
  port: KafkaPort,
  defs: TopicDefinition[] = TOPIC_DEFINITIONS,
  grants: readonly KafkaGrant[] = KAFKA_GRANTS,
  timeoutMs = 60000,
): Promise<ProvisionReport> {
  await port.ensureTopics(defs);
  await applyTopicConfigs(port, defs);
  const acl = aclEntries(port.config.prefix, grants);
  const admin = await port.adminClient();
  // One request per few hundred entries keeps each CreateAcls small; the broker applies them in order.
  for (let i = 0; i < acl.length; i += 200) await admin.createAcls({ acl: acl.slice(i, i + 200) });
  const wanted = new Set(acl.map(aclKey));
  const stale = (await heldAcls(admin)).filter(
    (a) => ownedResource(port.config.prefix, a.resourceType, a.resourceName) && !wanted.has(aclKey(a)),
  );
  for (let i = 0; i < stale.length; i += 200) await admin.deleteAcls({ filters: stale.slice(i, i + 200) });
  await untilBrokerEnforces(admin, acl, new Set(stale.map(aclKey)), timeoutMs);
  return { topics: defs.length, acls: acl.length, revoked: stale.length };
}

const aclKey = (a: {
  resourceType: number;
  resourceName: string;
  resourcePatternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}) => [a.resourceType, a.resourceName, a.resourcePatternType, a.principal, a.host, a.operation, a.permissionType].join('\u0000');

/**
 * The controller commits ACLs at once, but a broker applies them when it next publishes the
 * metadata it has read (seconds later, measured here): a service started in between would be
 * refused. DescribeAcls is answered from the broker's own view, so wait until it lists them all.
 */
async function untilBrokerEnforces(admin: Admin, acl: AclEntry[], revoked: Set<string>, timeoutMs: number): Promise<void> {
  const wanted = new Set(acl.map(aclKey));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const present = new Set((await heldAcls(admin)).map(aclKey));
    const missing = [...wanted].filter((k) => !present.has(k)).length;
    const lingering = [...revoked].filter((k) => present.has(k)).length;
    if (missing === 0 && lingering === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `kafka provisioning: ${missing} of ${wanted.size} ACL entries still not in force and ${lingering} of ${revoked.size} revoked ones still present on the broker after ${timeoutMs} ms`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Sets each topic's retention, segment roll and clean-up policy on the broker (AlterConfigs, which
 * replaces the topic's dynamic configuration with exactly these entries).
 */
export async function applyTopicConfigs(port: KafkaPort, defs: TopicDefinition[]): Promise<void> {
  const admin = await port.adminClient();
  for (let i = 0; i < defs.length; i += 50) {
    await admin.alterConfigs({
      validateOnly: false,
      resources: defs
        .slice(i, i + 50)
        .map((d) => ({ type: ConfigResourceTypes.TOPIC, name: port.physical(d.name), configEntries: topicConfigEntries(d) })),
    });
  }
}

/** Every ACL entry the broker holds, flat (one per principal, host, operation and resource). */
async function heldAcls(admin: Admin): Promise<AclEntry[]> {
  const { resources } = await admin.describeAcls({
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  });
  return resources.flatMap((r) =>
    r.acls.map((a) => ({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      resourcePatternType: r.resourcePatternType,
      principal: a.principal,
      host: a.host,
      operation: a.operation,
      permissionType: a.permissionType,
    })),
  );
}
