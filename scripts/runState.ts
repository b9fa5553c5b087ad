import { AclOperationTypes, AclPermissionTypes, AclResourceTypes, Kafka, logLevel, ResourcePatternTypes } from 'kafkajs';
import { kafkaCredentialsFromEnv } from '../libs/messaging/src/config';
import { dropDatabase } from '../libs/platform/src/database.migration';
import { Client } from 'pg';

/**
 * Drops what one test or benchmark run made: its database `mash_<runId>`, and the topics and
 * consumer groups under its prefix `<runId>.`, and on an authenticated broker the ACLs on them. A
 * run owns its state, so nothing a running demo or an earlier run left is touched.
 * Runs as whoever the environment names (admin, for tests and benchmarks).
 */
export async function dropRunState(runId: string, adminUrl: string, brokers: string): Promise<void> {
  const pg = new Client({ connectionString: adminUrl });
  await pg.connect();
  try {
    await dropDatabase(pg, `mash_${runId}`);
  } finally {
    await pg.end();
  }
  const sasl = kafkaCredentialsFromEnv(process.env);
  const admin = new Kafka({
    clientId: 'run-cleanup',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    ...(sasl ? { sasl } : {}),
  }).admin();
  await admin.connect();
  try {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${runId}.`));
    if (mine.length) await admin.deleteTopics({ topics: mine });
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`${runId}.`));
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
    if (sasl) {
      const any = {
        resourceType: AclResourceTypes.ANY,
        resourcePatternType: ResourcePatternTypes.ANY,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      };
      const { resources } = await admin.describeAcls(any);
      const filters = resources
        .filter((r) => r.resourceName.startsWith(`${runId}.`))
        .map((r) => ({ ...any, resourceType: r.resourceType, resourceName: r.resourceName, resourcePatternType: r.resourcePatternType }));
      if (filters.length) await admin.deleteAcls({ filters });
    }
  } finally {
    await admin.disconnect();
  }
}
