import { answer, checkRequestFor, fixturePeople as p, referenceConnectorChecks } from '@mash/connector-kit';
import { connector } from './connector';
import fixtures from './fixtures.json';

const checks = referenceConnectorChecks(connector, fixtures, {
  known: [
    { name: 'Amy (child present at incidents, by name and birth date)', subject: p.amy },
    { name: 'Beth (DA victim)', subject: p.beth },
    { name: 'Carl (DA perpetrator)', subject: p.carl },
    { name: 'Kai (CCE, weapons)', subject: p.kai },
  ],
  unknown: [
    { name: 'Zara', subject: p.zara },
    { name: 'Leanne', subject: p.leanne },
  ],
});

describe('police reference connector', () => {
  it.each(checks.map((c) => [c.name, c] as const))('%s', (_name, c) => c.run());

  const now = new Date('2026-11-23T10:00:00Z');

  it('finds Carl by his PNC id alone', async () => {
    const request = checkRequestFor('police', [{ subjectId: 'a2', kind: 'adult', policePersonId: 'PNC-88-123456' }], ['domestic-abuse']);
    const r = answer(request, await connector.lookup(request), now);
    expect(r.known).toBe(true);
    expect(r.entries.map((e) => e.summary.match(/DASH (standard|medium|high)/)?.[1])).toEqual([
      'standard',
      'medium',
      'high',
      undefined,
      'medium',
    ]);
  });

  it('keeps PNC markers back unless identity is granted', async () => {
    const request = checkRequestFor('police', [p.carl], ['domestic-abuse', 'offending']);
    const r = answer(request, await connector.lookup(request), now);
    expect(r.entries.some((e) => /PNC warning markers/.test(e.summary))).toBe(false);
    const withIdentity = checkRequestFor('police', [p.carl], ['identity']);
    expect(answer(withIdentity, await connector.lookup(withIdentity), now).entries.map((e) => e.summary)).toEqual([
      expect.stringMatching(/VIOLENT, WEAPONS/),
    ]);
  });
});
