import type { CheckReplied, ReplyEntry } from '@mash/contracts';
import { validateData } from '@mash/contracts';
import { chronologyFor, mergeChronology, normaliseSummary } from './chronology';

const replied = (agency: CheckReplied['agency'], entries: ReplyEntry[], repliedAt = '2026-11-23T12:00:00.000Z'): CheckReplied => ({
  requestId: `req-${agency}`,
  caseId: 'case-1',
  agency,
  repliedAt,
  known: entries.length > 0,
  entries,
});

describe('mergeChronology', () => {
  it('orders entries from several agencies by date and names the source agency on each', () => {
    const { entries } = mergeChronology([
      { reply: replied('health', [{ subjectId: 'c1', date: '2026-05-10', category: 'health', summary: 'A&E attendance, head injury' }]) },
      {
        reply: replied('police', [
          { subjectId: 'a2', date: '2025-12-01T21:40:00Z', category: 'domestic-abuse', summary: 'DA incident, DASH medium' },
        ]),
      },
      { reply: replied('education', [{ subjectId: 'c1', date: '2026-09-30', category: 'education', summary: 'Attendance 81%' }]) },
    ]);
    expect(entries.map((e) => [e.agency, e.date])).toEqual([
      ['police', '2025-12-01T21:40:00Z'],
      ['health', '2026-05-10'],
      ['education', '2026-09-30'],
    ]);
  });

  it('puts a date-only entry before timed entries of the same day, on English dates', () => {
    const { entries } = mergeChronology([
      {
        reply: replied('police', [
          // 23:30 UTC on 1 June is 00:30 on 2 June in England (BST).
          { date: '2026-06-01T23:30:00Z', category: 'domestic-abuse', summary: 'Call to address' },
          { date: '2026-06-02T08:00:00Z', category: 'domestic-abuse', summary: 'Follow-up visit' },
        ]),
      },
      { reply: replied('housing', [{ date: '2026-06-02', category: 'address', summary: 'Noise complaint logged' }]) },
      { reply: replied('health', [{ date: '2026-06-01', category: 'health', summary: 'GP appointment missed' }]) },
    ]);
    expect(entries.map((e) => e.summary)).toEqual([
      'GP appointment missed',
      'Noise complaint logged',
      'Call to address',
      'Follow-up visit',
    ]);
  });

  it('orders the same way whichever reply arrived first', () => {
    const a = { reply: replied('police', [{ date: '2026-03-01', category: 'offending' as const, summary: 'Arrest' }]) };
    const b = { reply: replied('health', [{ date: '2026-03-01', category: 'health' as const, summary: 'Arrest seen in A&E' }]) };
    expect(mergeChronology([a, b]).entries).toEqual(mergeChronology([b, a]).entries);
  });

  it('folds a duplicate into the entry received first and reports who else said it', () => {
    const { entries, folded } = mergeChronology([
      {
        reply: replied(
          'health',
          [{ subjectId: 'c1', date: '2026-04-04T10:15:00Z', category: 'history', summary: 'Missing  from home, found same day.' }],
          '2026-11-23T15:00:00Z',
        ),
      },
      {
        reply: replied(
          'police',
          [{ subjectId: 'c1', date: '2026-04-04', category: 'history', summary: 'missing from home - found same day' }],
          '2026-11-23T11:00:00Z',
        ),
      },
      {
        reply: replied(
          'education',
          [{ subjectId: 'c1', date: '2026-04-04', category: 'history', summary: 'Missing from home; found same day' }],
          '2026-11-23T13:00:00Z',
        ),
      },
    ]);
    expect(entries).toEqual([
      {
        subjectId: 'c1',
        date: '2026-04-04',
        category: 'history',
        summary: 'missing from home - found same day',
        agency: 'police',
        alsoReportedBy: ['education', 'health'],
      },
    ]);
    expect(folded).toHaveLength(1);
    expect(folded[0].alsoReportedBy).toEqual(['education', 'health']);
    expect(folded[0].dropped.map((e) => e.agency)).toEqual(['education', 'health']);
  });

  it('uses receivedAt, not the agency-stated repliedAt, to decide which duplicate is kept', () => {
    const entry = { date: '2026-04-04', category: 'history' as const, summary: 'Same event' };
    const { entries } = mergeChronology([
      { reply: replied('police', [entry], '2026-11-23T09:00:00Z'), receivedAt: '2026-11-23T14:00:00Z' },
      { reply: replied('health', [entry], '2026-11-23T10:00:00Z'), receivedAt: '2026-11-23T10:00:00Z' },
    ]);
    expect(entries.map((e) => e.agency)).toEqual(['health']);
  });

  it('keeps apart what differs in subject, category, day or time', () => {
    const base = { subjectId: 'c1', date: '2026-04-04T09:00:00Z', category: 'health' as const, summary: 'Missed appointment' };
    const { entries, folded } = mergeChronology([
      {
        reply: replied('health', [
          base,
          { ...base, date: '2026-04-04T15:00:00Z' },
          { ...base, subjectId: 'c2' },
          { ...base, category: 'history' },
          { ...base, date: '2026-04-05' },
          { ...base, subjectId: undefined },
        ]),
      },
    ]);
    expect(entries).toHaveLength(6);
    expect(folded).toEqual([]);
  });

  it('folds an agency repeating one entry in two replies', () => {
    const e = { subjectId: 'c1', date: '2026-01-10T12:00:00Z', category: 'offending' as const, summary: 'Caution for assault' };
    const { entries, folded } = mergeChronology([
      { reply: replied('police', [e]) },
      { reply: replied('police', [e], '2026-11-23T13:00:00Z') },
    ]);
    expect(entries).toHaveLength(1);
    expect(entries[0].alsoReportedBy).toBeUndefined();
    expect(folded[0].alsoReportedBy).toEqual([]);
    expect(folded[0].dropped).toHaveLength(1);
  });

  it('flags the entries of late replies as late and no others', () => {
    const { entries } = mergeChronology([
      { reply: replied('police', [{ date: '2026-01-01', category: 'offending', summary: 'On time' }]), late: false },
      { reply: replied('health', [{ date: '2026-01-02', category: 'health', summary: 'Late' }]), late: true },
    ]);
    expect(entries.map((e) => [e.summary, e.late])).toEqual([
      ['On time', undefined],
      ['Late', true],
    ]);
  });

  it('produces entries that are valid ChronologyEntry values for mash.case.ready.v1', () => {
    const { entries } = mergeChronology([
      {
        reply: replied('police', [{ subjectId: 'c1', date: '2026-01-01T10:00:00Z', category: 'offending', summary: 'x', current: true }]),
        late: true,
      },
    ]);
    const body = {
      caseId: 'case-1',
      readyAt: '2026-11-24T09:00:00Z',
      complete: true,
      replied: ['police'],
      missing: [],
      chronology: entries,
    };
    expect(validateData('caseReady', body).ok).toBe(true);
  });

  it('keeps an entry with an unreadable date, last', () => {
    const { entries } = mergeChronology([
      {
        reply: replied('police', [
          { date: 'sometime', summary: 'Odd' },
          { date: '2026-01-01', summary: 'Fine' },
        ]),
      },
    ]);
    expect(entries.map((e) => e.summary)).toEqual(['Fine', 'Odd']);
  });

  it('refuses replies of more than one case', () => {
    expect(() => mergeChronology([{ reply: replied('police', []) }, { reply: { ...replied('health', []), caseId: 'case-2' } }])).toThrow(
      /several cases/,
    );
  });
});

describe('chronologyFor', () => {
  it("gives a child their own entries and the household's, not a sibling's", () => {
    const entries = [
      { agency: 'police' as const, subjectId: 'c1', date: '2026-01-01', summary: 'Amy' },
      { agency: 'police' as const, subjectId: 'c2', date: '2026-01-02', summary: 'Sibling' },
      { agency: 'housing' as const, date: '2026-01-03', summary: 'Household' },
    ];
    expect(chronologyFor(entries, 'c1').map((e) => e.summary)).toEqual(['Amy', 'Household']);
  });
});

describe('normaliseSummary', () => {
  it('ignores case, accents, punctuation and spacing but not words', () => {
    expect(normaliseSummary('  Zoë  went MISSING, found. ')).toBe('zoe went missing found');
    expect(normaliseSummary('went missing')).not.toBe(normaliseSummary('not missing'));
  });
});
