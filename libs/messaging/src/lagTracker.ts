// The one module index.ts exports for lag: the evaluator and the offset reader come with the tracker.
export * from './lag';
export * from './lagOffsets';
import { EndSeen, evaluateGroup, evaluatePartition, GroupLagStatus, lagSeconds, OffsetSample, PartitionLagStatus } from './lag';

/** What one poll of a group returns for one partition (KafkaPort.lag, offsets as numbers). */
export interface LagObservation {
  topic: string;
  partition: number;
  committed: number;
  end: number;
}

export interface PartitionLagReport {
  topic: string;
  partition: number;
  committed: number;
  end: number;
  lag: number;
  lagSeconds: number;
  status: PartitionLagStatus;
  rule: string;
  /** Samples in the window; fewer than the window size right after start or a new partition. */
  samples: number;
}

export interface GroupLagReport {
  group: string;
  status: GroupLagStatus;
  /** Undefined when membership could not be read. */
  consumersActive?: boolean;
  sampledAt: string;
  totalLag: number;
  maxLagSeconds: number;
  partitions: PartitionLagReport[];
}

interface Track {
  topic: string;
  partition: number;
  window: OffsetSample[];
  ends: EndSeen[];
}

interface GroupTrack {
  at: number;
  consumersActive?: boolean;
  partitions: Map<string, Track>;
}

/**
 * The sliding windows of every group's partitions, in memory: monitoring data that may be lost on
 * restart (the windows refill within one window length). Pure bookkeeping, no I/O, so it is
 * tested with plain numbers and the clock passed in.
 */
export class LagTracker {
  private readonly groups = new Map<string, GroupTrack>();

  constructor(readonly windowSize: number) {
    if (!(windowSize >= 1)) throw new RangeError(`lag window must hold at least one sample, not ${windowSize}`);
  }

  record(group: string, at: number, observations: readonly LagObservation[], consumersActive?: boolean): void {
    const previous = this.groups.get(group)?.partitions ?? new Map<string, Track>();
    // Partitions the group no longer has offsets for (topic deleted, offsets expired) drop out.
    const partitions = new Map<string, Track>();
    for (const o of observations) {
      const id = `${o.topic}\u0000${o.partition}`;
      const track = previous.get(id) ?? { topic: o.topic, partition: o.partition, window: [], ends: [] };
      track.window.push({ at, committed: o.committed, end: o.end });
      if (track.window.length > this.windowSize) track.window.splice(0, track.window.length - this.windowSize);
      const last = track.ends[track.ends.length - 1];
      if (!last || o.end > last.end) track.ends.push({ end: o.end, at });
      // Only end offsets beyond the committed one can date a waiting message.
      while (track.ends.length > 0 && track.ends[0].end <= o.committed) track.ends.shift();
      partitions.set(id, track);
    }
    this.groups.set(group, { at, consumersActive, partitions });
  }

  /** Forget a group, e.g. one whose offsets are gone from the broker. */
  forget(group: string): void {
    this.groups.delete(group);
  }

  report(group: string, now: number): GroupLagReport | undefined {
    const g = this.groups.get(group);
    if (!g) return undefined;
    const partitions: PartitionLagReport[] = [];
    for (const t of g.partitions.values()) {
      const last = t.window[t.window.length - 1];
      const evaluation = evaluatePartition(t.window, g.consumersActive);
      const lag = Math.max(0, last.end - last.committed);
      partitions.push({
        topic: t.topic,
        partition: t.partition,
        committed: last.committed,
        end: last.end,
        lag,
        lagSeconds: lag === 0 ? 0 : Math.round(lagSeconds(t.ends, last.committed, now) * 10) / 10,
        status: evaluation.status,
        rule: evaluation.rule,
        samples: t.window.length,
      });
    }
    partitions.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    return {
      group,
      status: evaluateGroup(partitions.map((p) => p.status)),
      ...(g.consumersActive === undefined ? {} : { consumersActive: g.consumersActive }),
      sampledAt: new Date(g.at).toISOString(),
      totalLag: partitions.reduce((n, p) => n + p.lag, 0),
      maxLagSeconds: partitions.reduce((n, p) => Math.max(n, p.lagSeconds), 0),
      partitions,
    };
  }

  groupsKnown(): string[] {
    return [...this.groups.keys()];
  }
}
