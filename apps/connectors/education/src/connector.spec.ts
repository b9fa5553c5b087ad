import { answer, checkRequestFor, fixturePeople as p, referenceConnectorChecks } from '@mash/connector-kit';
import { connector } from './connector';
import fixtures from './fixtures.json';

const checks = referenceConnectorChecks(connector, fixtures, {
  known: [
    { name: 'Amy (by name and birth date)', subject: p.amy },
    { name: 'Dylan (suspensions, part-time timetable)', subject: p.dylan },
    { name: 'Kai (permanent exclusion, PRU)', subject: p.kai },
  ],
  unknown: [
    { name: 'Zara', subject: p.zara },
    { name: 'Beth (an adult)', subject: p.beth },
    { name: 'Carl (an adult)', subject: p.carl },
  ],
});

describe('education reference connector', () => {
  it.each(checks.map((c) => [c.name, c] as const))('%s', (_name, c) => c.run());

  const now = new Date('2026-11-23T10:00:00Z');

  it('finds Amy by UPN alone', async () => {
    const request = checkRequestFor('education', [{ subjectId: 'c1', kind: 'child', upn: 'T938214119001' }], ['education']);
    const r = answer(request, await connector.lookup(request), now);
    expect(r.entries.map((e) => e.summary.match(/(\d+\.\d)%/)?.[1]).filter(Boolean)).toEqual(['88.4', '81.0']);
  });

  it('keeps DSL concerns and Operation Encompass notices back when only education is granted', async () => {
    const request = checkRequestFor('education', [p.amy], ['education']);
    const summaries = answer(request, await connector.lookup(request), now).entries.map((e) => e.summary);
    expect(summaries.some((s) => /DSL|Operation Encompass/.test(s))).toBe(false);
  });
});
