import { answer, checkRequestFor, fixturePeople as p, referenceConnectorChecks } from '@mash/connector-kit';
import { connector } from './connector';
import fixtures from './fixtures.json';

const checks = referenceConnectorChecks(connector, fixtures, {
  known: [
    { name: 'Carl (on licence, MAPPA level 1)', subject: p.carl },
    { name: 'Darren (MAPPA level 2)', subject: p.darren },
  ],
  unknown: [
    { name: 'Amy', subject: p.amy },
    { name: 'Beth', subject: p.beth },
    { name: 'Kai (youth justice, not probation)', subject: p.kai },
  ],
});

describe('probation reference connector', () => {
  it.each(checks.map((c) => [c.name, c] as const))('%s', (_name, c) => c.run());

  it('reports the MAPPA level and licence conditions of Carl to a plan asking for them', async () => {
    const request = checkRequestFor('probation', [p.carl], ['involvement', 'offending']);
    const r = answer(request, await connector.lookup(request), new Date('2026-11-23T10:00:00Z'));
    expect(r.currentInvolvement).toBe(true);
    const text = r.entries.map((e) => e.summary).join('\n');
    expect(text).toMatch(/MAPPA category 2, level 1/);
    expect(text).toMatch(/no direct or indirect contact with Beth Example/);
    expect(text).not.toMatch(/14 Station Road/);
  });
});
