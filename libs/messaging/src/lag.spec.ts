import {
  evaluateGroup,
  evaluatePartition,
  GROUP_LAG_STATUS_CODE,
  GroupLagStatus,
  lagSeconds,
  OffsetSample,
  PartitionLagStatus,
} from './lag';
import { LagTracker } from './lagTracker';

/** [committed, end] pairs, one sample per 5 s. */
const w = (...pairs: [number, number][]): OffsetSample[] => pairs.map(([committed, end], i) => ({ at: i * 5000, committed, end }));

describe('evaluatePartition (Burrow rules)', () => {
  const cases: { name: string; window: OffsetSample[]; active?: boolean; status: PartitionLagStatus }[] = [
    { name: 'no samples: nothing to judge', window: [], status: 'ok' },
    { name: 'rule 1: lag zero at the start of the window', window: w([10, 10], [10, 14], [10, 20]), status: 'ok' },
    { name: 'rule 1: lag zero in the middle, even with no live consumer', window: w([5, 9], [9, 9], [9, 12]), active: false, status: 'ok' },
    { name: 'rule 1: lag zero now', window: w([1, 5], [1, 5], [5, 5]), status: 'ok' },
    { name: 'rule 2: committed offset goes backwards', window: w([50, 60], [20, 61], [25, 62]), status: 'rewind' },
    { name: 'rule 2 outranks a stopped group', window: w([50, 60], [20, 61]), active: false, status: 'rewind' },
    { name: 'rule 3: lag and no live consumer', window: w([3, 4], [3, 6], [3, 9]), active: false, status: 'stopped' },
    { name: 'rule 3: one sample is enough when nobody consumes', window: w([3, 4]), active: false, status: 'stopped' },
    { name: 'one sample with a consumer: no trend yet', window: w([3, 4]), active: true, status: 'ok' },
    { name: 'rule 4: offset fixed, lag fixed', window: w([7, 9], [7, 9], [7, 9]), active: true, status: 'stalled' },
    { name: 'rule 4: offset fixed, lag rising', window: w([7, 9], [7, 12], [7, 30]), active: true, status: 'stalled' },
    { name: 'rule 4: membership unknown is never "stopped"', window: w([7, 9], [7, 12]), status: 'stalled' },
    { name: 'rule 5: moving but lag always rising', window: w([10, 20], [15, 30], [20, 45]), active: true, status: 'warning' },
    { name: 'rule 5: moving but lag level', window: w([10, 20], [20, 30], [30, 40]), active: true, status: 'warning' },
    { name: 'catching up: lag fell once', window: w([10, 20], [25, 30], [30, 45]), active: true, status: 'ok' },
    { name: 'catching up: lag falling', window: w([10, 50], [30, 55], [50, 56]), active: true, status: 'ok' },
  ];
  it.each(cases)('$name -> $status', ({ window, active, status }) => {
    expect(evaluatePartition(window, active).status).toBe(status);
  });

  it('says which rule decided', () => {
    expect(evaluatePartition(w([7, 9], [7, 9]), true).rule).toMatch(/did not move/);
  });
});

describe('evaluateGroup', () => {
  const cases: { partitions: PartitionLagStatus[]; group: GroupLagStatus }[] = [
    { partitions: [], group: 'ok' },
    { partitions: ['ok', 'ok'], group: 'ok' },
    { partitions: ['ok', 'warning'], group: 'warning' },
    { partitions: ['warning', 'stopped'], group: 'error' },
    { partitions: ['rewind', 'ok'], group: 'error' },
    { partitions: ['stopped', 'stalled', 'warning'], group: 'stalled' },
  ];
  it.each(cases)('$partitions -> $group', ({ partitions, group }) => {
    expect(evaluateGroup(partitions)).toBe(group);
  });

  it('keeps the gauge codes operators alert on', () => {
    expect(GROUP_LAG_STATUS_CODE).toEqual({ ok: 0, warning: 1, error: 2, stalled: 3 });
  });
});

describe('lagSeconds', () => {
  const cases: { name: string; ends: { end: number; at: number }[]; committed: number; now: number; seconds: number }[] = [
    { name: 'nothing waiting', ends: [], committed: 5, now: 10_000, seconds: 0 },
    {
      name: 'dated by the first end offset past the committed one',
      ends: [
        { end: 6, at: 2000 },
        { end: 9, at: 7000 },
      ],
      committed: 5,
      now: 10_000,
      seconds: 8,
    },
    {
      name: 'older end offsets already consumed are ignored',
      ends: [
        { end: 6, at: 2000 },
        { end: 9, at: 7000 },
      ],
      committed: 6,
      now: 10_000,
      seconds: 3,
    },
  ];
  it.each(cases)('$name', ({ ends, committed, now, seconds }) => {
    expect(lagSeconds(ends, committed, now)).toBe(seconds);
  });
});

describe('LagTracker', () => {
  it('keeps a sliding window per partition and reports the group status', () => {
    const t = new LagTracker(3);
    // Caught up, then the consumer stops while messages keep coming.
    t.record('connector-health', 0, [{ topic: 'mash.check.health.requested.v1', partition: 0, committed: 4, end: 4 }], true);
    for (let i = 1; i <= 3; i++)
      t.record('connector-health', i * 1000, [{ topic: 'mash.check.health.requested.v1', partition: 0, committed: 4, end: 4 + i }], false);
    const r = t.report('connector-health', 3000)!;
    expect(r.status).toBe('error');
    expect(r.partitions[0]).toMatchObject({ lag: 3, status: 'stopped', samples: 3, lagSeconds: 2 });
    expect(r.totalLag).toBe(3);

    // Back, and caught up: lag zero in the window is OK at once.
    t.record('connector-health', 4000, [{ topic: 'mash.check.health.requested.v1', partition: 0, committed: 7, end: 7 }], true);
    const back = t.report('connector-health', 4000)!;
    expect(back).toMatchObject({ status: 'ok', totalLag: 0, maxLagSeconds: 0 });
  });

  it('drops partitions the group no longer reports', () => {
    const t = new LagTracker(2);
    t.record('g', 0, [
      { topic: 'a', partition: 0, committed: 0, end: 1 },
      { topic: 'a', partition: 1, committed: 0, end: 0 },
    ]);
    t.record('g', 1000, [{ topic: 'a', partition: 1, committed: 0, end: 0 }]);
    expect(t.report('g', 1000)!.partitions.map((p) => p.partition)).toEqual([1]);
  });

  it('refuses an empty window size', () => {
    expect(() => new LagTracker(0)).toThrow(RangeError);
  });
});
