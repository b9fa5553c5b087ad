import { shippedPolicy } from '@mash/policy';
import type { CaseReady, ChronologyEntry } from '@mash/contracts';
import { DEFAULT_RERATING, reRate } from './rerate';

const entry = (agency: ChronologyEntry['agency'], over: Partial<ChronologyEntry> = {}): ChronologyEntry => ({
  agency,
  date: '2026-01-01',
  summary: 'x',
  ...over,
});
const ready = (chronology: ChronologyEntry[], over: Partial<CaseReady> = {}): CaseReady => ({
  caseId: 'CS-1',
  readyAt: '2026-11-30T12:00:00Z',
  complete: true,
  replied: ['police', 'health'],
  missing: [],
  chronology,
  ...over,
});

describe('reRate at the end of checks', () => {
  it('escalates one step when an agency reports current domestic abuse, naming agency and category only', () => {
    const r = reRate(
      { rating: 'AMBER', ruleIds: ['A-DASH-MEDIUM-CHILDREN'] },
      ready([entry('education', { category: 'domestic-abuse', current: true, summary: 'secret' })]),
    );
    expect(r).toMatchObject({ rating: 'RED', change: 'escalated', ruleIds: ['A-DASH-MEDIUM-CHILDREN', 'RR-CURRENT-HARM'] });
    expect(r.reasons.join(' ')).toContain('education (domestic-abuse)');
    expect(r.reasons.join(' ')).not.toContain('secret');
  });
  it('escalates Green to Amber when two agencies are currently involved, however many rules fire', () => {
    const r = reRate(
      { rating: 'GREEN', ruleIds: ['G-CONCERN'] },
      ready([entry('police', { current: true, category: 'offending' }), entry('health', { current: true })]),
    );
    expect(r.rating).toBe('AMBER');
    expect(r.ruleIds).toEqual(['G-CONCERN', 'RR-CURRENT-HARM', 'RR-SEVERAL-AGENCIES-CURRENT']);
  });
  it('de-escalates Amber to Green when everyone replied and nobody knows the family', () => {
    expect(reRate({ rating: 'AMBER', ruleIds: ['A-MOSAIC'] }, ready([]))).toMatchObject({
      rating: 'GREEN',
      change: 'de-escalated',
      ruleIds: ['A-MOSAIC', 'RR-NOTHING-KNOWN'],
    });
    expect(reRate({ rating: 'AMBER', ruleIds: [] }, ready([entry('health')])).ruleIds).toEqual(['RR-NOTHING-CURRENT']);
  });
  it('never lowers with replies missing, and never lowers Red', () => {
    const r = reRate({ rating: 'AMBER', ruleIds: [] }, ready([], { complete: false, missing: ['education'] }));
    expect(r).toMatchObject({ rating: 'AMBER', change: 'unchanged' });
    expect(r.reasons[0]).toContain('education');
    expect(reRate({ rating: 'RED', ruleIds: ['R-FGM'] }, ready([])).rating).toBe('RED');
  });
});

describe('re-rating rules from the locality policy', () => {
  const picture = () =>
    ready([entry('health', { category: 'health', current: true }), entry('police', { category: 'history', current: true })]);

  it('uses the policy: a locality that counts current health involvement as harm escalates on it', () => {
    expect(reRate({ rating: 'GREEN', ruleIds: [] }, ready([entry('health', { category: 'health', current: true })])).rating).toBe('GREEN');
    expect(
      reRate({ rating: 'GREEN', ruleIds: [] }, ready([entry('health', { category: 'health', current: true })]), {
        harmCategories: ['health'],
      }),
    ).toMatchObject({ rating: 'AMBER', ruleIds: ['RR-CURRENT-HARM'] });
  });

  it('needs as many agencies currently involved as the policy says', () => {
    expect(reRate({ rating: 'GREEN', ruleIds: [] }, picture()).ruleIds).toContain('RR-SEVERAL-AGENCIES-CURRENT');
    expect(reRate({ rating: 'GREEN', ruleIds: [] }, picture(), { severalAgenciesCurrent: 3 }).rating).toBe('GREEN');
  });

  it('keeps Amber when the policy does not let a quiet picture lower it', () => {
    expect(reRate({ rating: 'AMBER', ruleIds: [] }, ready([]), { lowerAmberWhenNothingCurrent: false })).toMatchObject({
      rating: 'AMBER',
      change: 'unchanged',
    });
  });

  it('ships the defaults in every policy file, so the rules are visible data', () => {
    for (const locality of ['london', 'sandwell', 'sefton'] as const) {
      expect(shippedPolicy(locality).rerating).toMatchObject({
        harmCategories: DEFAULT_RERATING.harmCategories,
        severalAgenciesCurrent: 2,
        lowerAmberWhenNothingCurrent: true,
      });
    }
  });
});
