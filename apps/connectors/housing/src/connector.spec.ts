import { answer, checkRequestFor, fixturePeople as p, referenceConnectorChecks } from '@mash/connector-kit';
import { connector } from './connector';
import fixtures from './fixtures.json';

const checks = referenceConnectorChecks(connector, fixtures, {
  known: [
    { name: 'Beth (tenant, ASB complaints)', subject: p.beth },
    { name: 'Amy (household member)', subject: p.amy },
    { name: 'Leanne (homeless, temporary accommodation)', subject: p.leanne },
    { name: 'Kai (household member)', subject: p.kai },
  ],
  unknown: [
    { name: 'Carl (not an occupant)', subject: p.carl },
    { name: 'Zara', subject: p.zara },
  ],
});

describe('housing reference connector', () => {
  it.each(checks.map((c) => [c.name, c] as const))('%s', (_name, c) => c.run());

  it('answers for the household of the example contact', async () => {
    const request = checkRequestFor('housing', [p.amy, p.beth, p.carl], ['household']);
    const r = answer(request, await connector.lookup(request), new Date('2026-11-23T10:00:00Z'));
    expect(r.entries.map((e) => e.subjectId).sort()).toEqual([p.beth.subjectId, p.amy.subjectId].sort());
    expect(r.entries.find((e) => e.subjectId === p.beth.subjectId)!.summary).toMatch(/Carl Sample not listed as an occupant/);
  });
});
