/**
 * Consumer lag status in the spirit of LinkedIn Burrow's evaluation rules: no thresholds in
 * messages, only the behaviour of each partition over a sliding window of offset samples.
 *
 * One difference from Burrow, and why: Burrow reads every offset *commit* (with its timestamp)
 * from __consumer_offsets, and a live Java consumer re-commits the same offset while idle, so
 * "no commits lately" means stopped and "the same offset committed again and again" means stalled.
 * We poll committed offsets, and our consumers commit only after handling a message, so a dead
 * consumer and a live one stuck on a message look alike in the offsets. Group membership tells
 * them apart: lag with no live member is "stopped"; lag with a member that does not move is "stalled".
 */

/** Status of one partition, as Burrow names them. */
export type PartitionLagStatus = 'ok' | 'warning' | 'stalled' | 'stopped' | 'rewind';

/** Status of a group: the worst of its partitions, folded to what operators act on. */
export type GroupLagStatus = 'ok' | 'warning' | 'error' | 'stalled';

/** The value of mash_consumer_group_status; dashboards and alerts rely on these numbers. */
export const GROUP_LAG_STATUS_CODE: Record<GroupLagStatus, number> = { ok: 0, warning: 1, error: 2, stalled: 3 };

/** One look at a partition: the group's committed offset and the log end offset at that moment. */
export interface OffsetSample {
  /** Epoch milliseconds. */
  at: number;
  committed: number;
  end: number;
}

export interface PartitionEvaluation {
  status: PartitionLagStatus;
  /** Which rule decided, so an operator can see why without reading this file. */
  rule: string;
}

const lagOf = (s: OffsetSample) => Math.max(0, s.end - s.committed);

/**
 * Evaluates one partition's window (oldest first). `consumersActive` is whether the group has a
 * live member; undefined when it could not be asked, in which case "stopped" is never concluded.
 */
export function evaluatePartition(window: readonly OffsetSample[], consumersActive?: boolean): PartitionEvaluation {
  if (window.length === 0) return { status: 'ok', rule: 'no samples yet' };
  // Rule 1: a consumer that was caught up at any point in the window is keeping up.
  if (window.some((s) => lagOf(s) === 0)) return { status: 'ok', rule: 'lag was zero within the window' };
  // Rule 2: offsets going backwards mean someone reset the group; its work may be redone or skipped.
  for (let i = 1; i < window.length; i++) {
    if (window[i].committed < window[i - 1].committed) return { status: 'rewind', rule: 'committed offset went backwards' };
  }
  // Rule 3: nobody is consuming, so nothing will commit (see the note at the top).
  if (consumersActive === false) return { status: 'stopped', rule: 'lag with no live consumer in the group' };
  // Below this, trends need at least two points.
  if (window.length < 2) return { status: 'ok', rule: 'not enough samples to see a trend' };
  // Rule 4: a live consumer whose offset does not move while messages wait is stuck.
  if (window.every((s) => s.committed === window[0].committed))
    return { status: 'stalled', rule: 'committed offset did not move while lag > 0' };
  // Rule 5: moving, but never gaining on the producer: slow, falling behind.
  let decreased = false;
  for (let i = 1; i < window.length; i++) if (lagOf(window[i]) < lagOf(window[i - 1])) decreased = true;
  if (!decreased) return { status: 'warning', rule: 'offsets move but lag never decreases' };
  return { status: 'ok', rule: 'catching up' };
}

const GROUP_OF: Record<PartitionLagStatus, GroupLagStatus> = {
  ok: 'ok',
  warning: 'warning',
  // Burrow folds these into ERR; a stalled consumer is kept apart because it needs a different
  // action (look at the message it is stuck on) from a stopped one (start it).
  stopped: 'error',
  rewind: 'error',
  stalled: 'stalled',
};

/** The group's status: the worst partition, by the order of the exported codes. */
export function evaluateGroup(partitions: readonly PartitionLagStatus[]): GroupLagStatus {
  let worst: GroupLagStatus = 'ok';
  for (const p of partitions) {
    const g = GROUP_OF[p];
    if (GROUP_LAG_STATUS_CODE[g] > GROUP_LAG_STATUS_CODE[worst]) worst = g;
  }
  return worst;
}

/** When the log end offset was first seen at a value: the raw material of lag in seconds. */
export interface EndSeen {
  end: number;
  at: number;
}

/**
 * Lag in seconds, estimated without reading messages: the oldest message still waiting (offset
 * `committed`) was written before the first sample that saw the end offset pass `committed`.
 * A lower bound, as precise as the sampling interval; 0 when nothing waits.
 */
export function lagSeconds(ends: readonly EndSeen[], committed: number, now: number): number {
  const first = ends.find((e) => e.end > committed);
  return first ? Math.max(0, (now - first.at) / 1000) : 0;
}
