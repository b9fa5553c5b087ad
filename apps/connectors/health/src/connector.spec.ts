import { answer, checkRequestFor, fixturePeople as p, referenceConnectorChecks } from '@mash/connector-kit';
import { connector } from './connector';
import fixtures from './fixtures.json';

const checks = referenceConnectorChecks(connector, fixtures, {
  known: [
    { name: 'Amy (by NHS number)', subject: p.amy },
    { name: 'Beth (by name and birth date)', subject: p.beth },
    { name: 'Carl (by name and birth date; his PNC id means nothing here)', subject: p.carl },
    { name: 'Kai (CAMHS, A&E)', subject: p.kai },
    { name: 'Leanne (community mental health)', subject: p.leanne },
  ],
  unknown: [
    { name: 'Zara', subject: p.zara },
    { name: "a child with Amy's name and birth date but another NHS number", subject: p.amyNamesake },
  ],
});

describe('health reference connector', () => {
  it.each(checks.map((c) => [c.name, c] as const))('%s', (_name, c) => c.run());

  const now = new Date('2026-11-23T10:00:00Z');

  it('finds Amy by NHS number alone and reports the CP-IS flag as history', async () => {
    const request = checkRequestFor('health', [{ subjectId: 'c1', kind: 'child', nhsNumber: '9434765919' }], ['history']);
    const r = answer(request, await connector.lookup(request), now);
    expect(r.entries.map((e) => e.date)).toEqual(['2025-07-10', '2026-03-30']);
    expect(r.entries.every((e) => e.summary.includes('SNOMED 224353004'))).toBe(true);
  });

  it('gives A&E attendances only under the health category', async () => {
    const asked = checkRequestFor('health', [p.amy], ['health']);
    const notAsked = checkRequestFor('health', [p.amy], ['involvement', 'history']);
    const aAndE = (r: ReturnType<typeof answer>) => r.entries.filter((e) => /A&E attendance/.test(e.summary)).length;
    expect(aAndE(answer(asked, await connector.lookup(asked), now))).toBe(2);
    expect(aAndE(answer(notAsked, await connector.lookup(notAsked), now))).toBe(0);
  });
});
