import { answer, checkRequestFor, fixturePeople as p, referenceConnectorChecks } from '@mash/connector-kit';
import { connector } from './connector';
import fixtures from './fixtures.json';

const checks = referenceConnectorChecks(connector, fixtures, {
  known: [
    { name: 'Kai (Youth Rehabilitation Order)', subject: p.kai },
    { name: 'Dylan (Turnaround, pre-court)', subject: p.dylan },
  ],
  unknown: [
    { name: 'Amy', subject: p.amy },
    { name: 'Carl (an adult: probation, not youth justice)', subject: p.carl },
    { name: 'Zara', subject: p.zara },
  ],
});

describe('youth justice reference connector', () => {
  it.each(checks.map((c) => [c.name, c] as const))('%s', (_name, c) => c.run());

  it('finds Kai by PNC id and reports his current order', async () => {
    const request = checkRequestFor(
      'youth-justice',
      [{ subjectId: 'c3', kind: 'child', policePersonId: 'PNC-09-654321' }],
      ['offending', 'involvement'],
    );
    const r = answer(request, await connector.lookup(request), new Date('2026-11-23T10:00:00Z'));
    expect(r.currentInvolvement).toBe(true);
    expect(r.entries.filter((e) => e.current).map((e) => e.summary)).toEqual([
      expect.stringMatching(/^Youth Rehabilitation Order, 12 months/),
    ]);
  });

  it('knows no one in the example contact, as the demo expects', async () => {
    const request = checkRequestFor('youth-justice', [p.amy, p.beth, p.carl]);
    expect((await connector.lookup(request)).known).toBe(false);
  });
});
