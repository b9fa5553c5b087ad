import type { PlanItem } from '@mash/contracts';
import { capDueTimes, mergePlans, planAdditions } from '.';

const item = (agency: PlanItem['agency'], categories: PlanItem['categories'], dueAt = '2026-11-30T15:00:00.000Z'): PlanItem => ({
  agency,
  categories,
  dueAt,
});

describe('plan revisions', () => {
  const limited = [item('police', ['identity', 'address', 'involvement']), item('health', ['identity'])];
  const full = [
    item('police', ['identity', 'address', 'involvement', 'history', 'domestic-abuse']),
    item('health', ['identity']),
    item('education', ['identity', 'education'], '2026-11-30T14:00:00.000Z'),
  ];
  it('adds new agencies and widened grants, never what was asked already', () => {
    expect(planAdditions(limited, full).map((p) => p.agency)).toEqual(['police', 'education']);
    expect(planAdditions(full, full)).toEqual([]);
    expect(planAdditions([], full)).toEqual(full);
  });
  it('merges categories per agency and keeps the earlier due time', () => {
    const merged = mergePlans(limited, [item('police', ['history'], '2026-11-30T12:00:00.000Z'), item('education', ['education'])]);
    expect(merged.find((p) => p.agency === 'police')).toEqual(
      item('police', ['identity', 'address', 'involvement', 'history'], '2026-11-30T12:00:00.000Z'),
    );
    expect(merged.map((p) => p.agency)).toEqual(['police', 'health', 'education']);
  });
  it('caps due times at the case deadline', () => {
    expect(capDueTimes(full, new Date('2026-11-30T14:30:00Z')).map((p) => p.dueAt)).toEqual([
      '2026-11-30T14:30:00.000Z',
      '2026-11-30T14:30:00.000Z',
      '2026-11-30T14:00:00.000Z',
    ]);
  });
});
