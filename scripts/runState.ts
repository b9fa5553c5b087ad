import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';

/**
 * Drops what one test or benchmark run made: its database `mash_<runId>`, and the topics and
 * consumer groups under its prefix `<runId>.`. A run owns its state, so nothing a running demo or
 * an earlier run left is touched.
 */
export async function dropRunState(runId: string, adminUrl: string, brokers: string): Promise<void> {
  const pg = new Client({ connectionString: adminUrl });
  await pg.connect();
  try {
    await pg.query(`DROP DATABASE IF EXISTS "mash_${runId}" WITH (FORCE)`);
  } finally {
    await pg.end();
  }
  const admin = new Kafka({ clientId: 'run-cleanup', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(`${runId}.`));
    if (mine.length) await admin.deleteTopics({ topics: mine });
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(`${runId}.`));
    if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}
