import { validateData } from '@mash/contracts';
import { answer } from './connector';
import { checkRequestFor } from './testing';

const now = new Date('2026-11-23T10:00:00.000Z');
const amy = { subjectId: 'c1', kind: 'child' as const, givenName: 'Amy', familyName: 'Example', dateOfBirth: '2019-03-02' };

describe('answer', () => {
  const entries = [
    { subjectId: 'c1', date: '2026-01-01', category: 'health' as const, summary: 'A&E attendance' },
    { subjectId: 'c1', date: '2026-02-01', category: 'offending' as const, summary: 'Not asked for' },
    { subjectId: 'c1', date: '2026-03-01', summary: 'No category' },
    { subjectId: 'x9', date: '2026-04-01', category: 'health' as const, summary: 'Someone else' },
    { date: '2026-05-01', category: 'health' as const, summary: 'Household-wide' },
    { subjectId: 'c1', date: '2026-06-01', category: 'health' as const, summary: '   ' },
  ];

  it('lets out only granted categories about the subjects asked about', () => {
    const request = checkRequestFor('health', [amy], ['health']);
    const r = answer(request, { known: true, currentInvolvement: true, entries }, now);
    expect(r.entries.map((e) => e.summary)).toEqual(['A&E attendance', 'Household-wide']);
  });

  it('addresses the reply to the request and stamps it with now', () => {
    const request = checkRequestFor('health', [amy], ['health']);
    const r = answer(request, { known: true, entries: [] }, now);
    expect(r).toEqual({
      requestId: request.requestId,
      caseId: 'case-1',
      agency: 'health',
      repliedAt: now.toISOString(),
      known: true,
      entries: [],
    });
  });

  it('says current involvement only when involvement is granted', () => {
    const withIt = answer(checkRequestFor('health', [amy], ['involvement']), { known: true, currentInvolvement: false, entries }, now);
    const without = answer(checkRequestFor('health', [amy], ['health']), { known: true, currentInvolvement: true, entries }, now);
    expect(withIt.currentInvolvement).toBe(false);
    expect(without).not.toHaveProperty('currentInvolvement');
  });

  it('does not change the lookup result it was given', () => {
    const result = {
      known: true,
      entries: [{ subjectId: 'c1', date: '2026-01-01', category: 'health' as const, summary: 'x'.repeat(2500) }],
    };
    const r = answer(checkRequestFor('health', [amy], ['health']), result, now);
    expect(result.entries[0].summary).toHaveLength(2500);
    expect(r.entries[0].summary).toHaveLength(2000);
    expect(r.entries[0].summary.endsWith('…')).toBe(true);
  });

  it('keeps within 500 entries, most recent first, and says how many were left out', () => {
    const many = Array.from({ length: 600 }, (_, i) => ({
      subjectId: 'c1',
      date: new Date(Date.UTC(2020, 0, 1 + i)).toISOString().slice(0, 10),
      category: 'health' as const,
      summary: `Visit ${i}`,
    }));
    const r = answer(checkRequestFor('health', [amy], ['health']), { known: true, entries: many }, now);
    expect(r.entries).toHaveLength(500);
    expect(r.entries[0].summary).toBe('Visit 599');
    expect(r.entries[499].summary).toBe('101 earlier records not listed; ask health directly.');
    expect(r.entries[499].category).toBe('health');
    expect(validateData('checkReplied', r).ok).toBe(true);
  });
});
