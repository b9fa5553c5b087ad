import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';

const run = promisify(execFile);
const SCRIPT = join(__dirname, '..', '..', 'infra', 'kafka.sh');

/** The local three-broker cluster of `infra/kafka.sh cluster`, driven from a test. */
export const kafkaCluster = {
  /** True when this jest run was started by test/cluster/run.sh against the cluster. */
  inUse(): boolean {
    return process.env.MASH_KAFKA_CLUSTER === '1';
  },
  /** kill -9 of one node (1-3): no controlled shutdown, its leaderships move only when it is fenced. */
  async kill(node: number): Promise<string> {
    return (await run('bash', [SCRIPT, 'cluster', 'kill', String(node)])).stdout.trim();
  },
  /** Starts one node again and waits until the cluster lists all three brokers. */
  async restart(node: number): Promise<string> {
    return (await run('bash', [SCRIPT, 'cluster', 'restart', String(node)], { timeout: 300000 })).stdout.trim();
  },
};

export interface PartitionLeaders {
  /** `${topic}/${partition}` -> leader node id */
  [topicPartition: string]: number;
}

/** Leader and replicas of every partition of the given topics, as the brokers report them now. */
export async function partitionLayout(
  brokers: string,
  topics: string[],
): Promise<{ leaders: PartitionLeaders; replicas: Record<string, number[]>; isr: Record<string, number[]> }> {
  const admin = new Kafka({
    clientId: 'test-layout',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 3 },
  }).admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics });
    const leaders: PartitionLeaders = {};
    const replicas: Record<string, number[]> = {};
    const isr: Record<string, number[]> = {};
    for (const t of meta.topics) {
      for (const p of t.partitions) {
        leaders[`${t.name}/${p.partitionId}`] = p.leader;
        replicas[`${t.name}/${p.partitionId}`] = p.replicas;
        isr[`${t.name}/${p.partitionId}`] = p.isr;
      }
    }
    return { leaders, replicas, isr };
  } finally {
    await admin.disconnect();
  }
}
