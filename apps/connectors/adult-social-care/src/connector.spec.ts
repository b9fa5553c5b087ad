import { answer, checkRequestFor, fixturePeople as p, referenceConnectorChecks } from '@mash/connector-kit';
import { connector } from './connector';
import fixtures from './fixtures.json';

const checks = referenceConnectorChecks(connector, fixtures, {
  known: [
    { name: 'Beth (section 42 concern)', subject: p.beth },
    { name: 'Leanne (care package, mental health)', subject: p.leanne },
  ],
  unknown: [
    { name: 'Amy (a child)', subject: p.amy },
    { name: 'Carl', subject: p.carl },
  ],
});

describe('adult social care reference connector', () => {
  it.each(checks.map((c) => [c.name, c] as const))('%s', (_name, c) => c.run());

  it("reports Leanne's care package as current involvement and her mental health only under health", async () => {
    const now = new Date('2026-11-23T10:00:00Z');
    const involvement = checkRequestFor('adult-social-care', [p.leanne], ['involvement']);
    const r = answer(involvement, await connector.lookup(involvement), now);
    expect(r.currentInvolvement).toBe(true);
    expect(r.entries.map((e) => e.summary)).toEqual([expect.stringMatching(/home care 7 hours a week/)]);
    const health = checkRequestFor('adult-social-care', [p.leanne], ['health']);
    expect(answer(health, await connector.lookup(health), now).entries.map((e) => e.date)).toEqual(['2025-06-10', '2026-08-31']);
  });
});
