import { AssignerProtocol } from 'kafkajs';
import type { KafkaPort } from './kafkaPort';
import type { LagObservation } from './lagTracker';

export interface GroupOffsets {
  group: string;
  /** False for a group the broker has no trace of (never ran, or its offsets expired). */
  found: boolean;
  /** Undefined when the broker could not be asked. */
  consumersActive?: boolean;
  observations: LagObservation[];
}

/**
 * Committed and end offsets of every partition each group reads, through KafkaPort.lag, filled in
 * where it falls short: the broker returns committed offsets only for partitions a group has
 * committed on, so a partition the group never consumed from (say, a stopped connector's requests
 * landing on a partition it had not used yet) would be invisible exactly when it matters. The
 * topics a group reads come from its members' subscriptions, remembered in `subscriptions` so
 * that they are still known after the last member has gone. A partition with no commit counts
 * from its earliest retained offset, where our groups (fromBeginning) would start.
 */
export async function readGroupOffsets(
  port: KafkaPort,
  groups: readonly string[],
  subscriptions: Map<string, Set<string>>,
): Promise<GroupOffsets[]> {
  const admin = await port.adminClient();
  const active = new Map<string, boolean>();
  try {
    const { groups: described } = await admin.describeGroups(groups.map((g) => port.physical(g)));
    for (const d of described) {
      const group = port.logical(d.groupId);
      active.set(group, d.members.length > 0);
      const topics = subscriptions.get(group) ?? new Set<string>();
      for (const m of d.members) {
        try {
          for (const t of AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics ?? []) topics.add(port.logical(t));
        } catch {
          // A member of another protocol: its lag is still read from its commits.
        }
      }
      if (topics.size) subscriptions.set(group, topics);
    }
  } catch {
    // Membership unknown: evaluatePartition then never concludes "stopped".
  }

  const ends = new Map<string, Promise<{ partition: number; high: string; low: string }[] | undefined>>();
  const endsOf = (topic: string) => {
    if (!ends.has(topic)) {
      ends.set(
        topic,
        admin.fetchTopicOffsets(port.physical(topic)).then(
          (r) => r.map((p) => ({ partition: p.partition, high: p.high, low: p.low })),
          () => undefined, // topic deleted since the group subscribed
        ),
      );
    }
    return ends.get(topic)!;
  };

  const out: GroupOffsets[] = [];
  for (const group of groups) {
    const rows = await port.lag(group);
    const observations: LagObservation[] = rows.map((r) => ({
      topic: r.topic,
      partition: r.partition,
      committed: Number(r.committed),
      end: Number(r.end),
    }));
    const seen = new Set(rows.map((r) => `${r.topic}\u0000${r.partition}`));
    const topics = new Set([...rows.map((r) => r.topic), ...(subscriptions.get(group) ?? [])]);
    for (const topic of topics) {
      for (const p of (await endsOf(topic)) ?? []) {
        if (!seen.has(`${topic}\u0000${p.partition}`))
          observations.push({ topic, partition: p.partition, committed: Number(p.low), end: Number(p.high) });
      }
    }
    const consumersActive = active.get(group);
    out.push({
      group,
      found: rows.length > 0 || consumersActive === true || topics.size > 0,
      ...(consumersActive === undefined ? {} : { consumersActive }),
      observations,
    });
  }
  return out;
}
