import { validateContact } from '@mash/contracts';
import { loadPolicy } from '@mash/policy';
import { join } from 'node:path';
import { rate } from '../../apps/triage/src/rating';
import { describeMix, generateContacts } from '../../scripts/load/generate';

/**
 * The load generator's list is a pure function of its seed: a run can be replayed exactly, and
 * what it sends is valid, realistic in its mix, and says which contacts must share a case.
 */
describe('load generator', () => {
  const baseTime = new Date('2026-11-30T09:00:00Z');
  const list = generateContacts({ count: 2000, seed: 42, baseTime });

  it('gives the same contacts for the same seed and different ones for another seed', () => {
    expect(generateContacts({ count: 2000, seed: 42, baseTime })).toEqual(list);
    const other = generateContacts({ count: 2000, seed: 43, baseTime });
    expect(other.map((g) => JSON.stringify(g.contact.subjects))).not.toEqual(list.map((g) => JSON.stringify(g.contact.subjects)));
    // Rating weights move the mix: the fault suite asks for more Red cases.
    const red = (l: typeof list) => l.filter((g) => g.intended === 'RED').length;
    expect(red(generateContacts({ count: 2000, seed: 42, baseTime, ratingWeights: { RED: 2.5 } }))).toBeGreaterThan(1.8 * red(list));
    // A prefix of a longer run is the shorter run: `--contacts 100` replays the first 100 of 2,000.
    expect(generateContacts({ count: 100, seed: 42, baseTime })).toEqual(list.slice(0, 100));
  });

  it('never gives two families a person with the same names and date of birth (triage would rightly call them one)', () => {
    // 10,000 contacts: the size of the burst that found it (seed 20261130 merged two families' cases).
    const big = generateContacts({ count: 10000, seed: 20261130, baseTime });
    const familiesOf = new Map<string, Set<number>>();
    for (const g of big) {
      for (const s of g.contact.subjects) {
        if (!s.givenName || !s.familyName || !s.dateOfBirth) continue;
        const key = `${s.givenName}|${s.familyName}|${s.dateOfBirth}`;
        familiesOf.set(key, (familiesOf.get(key) ?? new Set()).add(g.family));
      }
    }
    const shared = [...familiesOf].filter(([, f]) => f.size > 1).map(([k, f]) => `${k}: families ${[...f].join(', ')}`);
    expect(shared).toEqual([]);
    expect(familiesOf.size).toBeGreaterThan(10000);
  });

  it('sends only contacts the front door accepts, each with its own agency reference', () => {
    const invalid = list.map((g) => [g.index, validateContact(g.contact)] as const).filter(([, r]) => !r.ok);
    expect(invalid.slice(0, 3)).toEqual([]);
    expect(new Set(list.map((g) => `${g.agency}|${g.contact.agencyReference}`)).size).toBe(list.length);
  });

  it('mixes sources as the source reports do: police the largest share, then schools, health, the contact centre', () => {
    const mix = describeMix(list);
    const share = (a: string) => (mix.byAgency as Record<string, number>)[a] / list.length;
    expect(share('police')).toBeGreaterThan(0.3);
    expect(share('police')).toBeLessThan(0.42);
    for (const a of ['education', 'health', 'contact-centre']) {
      expect(share(a)).toBeGreaterThan(0.12);
      expect(share(a)).toBeLessThan(share('police'));
    }
  });

  it('lands near the Westminster rating mix when rated by the real London policy (Green ~58%, Amber ~32%, Red ~10%)', () => {
    const policy = loadPolicy(join(__dirname, '..', '..', 'policies', 'london.json'));
    const firsts = list.filter((g) => g.kind === 'new');
    const ratings = firsts.map((g) => rate({ contact: g.contact, now: baseTime, knownHousehold: false, repeatCount: 1 }, policy).rating);
    const share = (r: string) => ratings.filter((x) => x === r).length / ratings.length;
    expect(share('RED')).toBeGreaterThan(0.06);
    expect(share('RED')).toBeLessThan(0.15);
    expect(share('AMBER')).toBeGreaterThan(0.24);
    expect(share('AMBER')).toBeLessThan(0.4);
    expect(share('GREEN')).toBeGreaterThan(0.5);
    expect(share('GREEN')).toBeLessThan(0.66);
    // The intended rating is what the policy gives: the generator's labels can be trusted in reports.
    const agree = firsts.filter((g, i) => g.intended === ratings[i]).length / firsts.length;
    expect(agree).toBeGreaterThan(0.95);
  });

  it('has distinct families, siblings, repeats and duplicate incidents that point at an earlier contact', () => {
    const mix = describeMix(list);
    expect(mix.families).toBeGreaterThan(1400);
    expect(mix.withSiblings).toBeGreaterThan(200);
    expect(mix.byKind.repeat).toBeGreaterThan(200);
    expect(mix.byKind['duplicate-incident']).toBeGreaterThan(60);
    for (const g of list.filter((x) => x.kind === 'duplicate-incident')) {
      const original = list[g.sameCaseAs!];
      expect(original.kind).toBe('new');
      expect(original.index).toBeLessThan(g.index);
      expect(g.family).toBe(original.family);
      expect(g.agency).not.toBe(original.agency);
      expect(g.contact.presentingIssues).toEqual(original.contact.presentingIssues);
      const gap = Math.abs(Date.parse(g.contact.incident!.occurredAt!) - Date.parse(original.contact.incident!.occurredAt!));
      expect(gap).toBeLessThanOrEqual(3 * 3_600_000);
    }
    // A repeat is a new incident, a day or more after the family's previous one: never a duplicate.
    const byFamily = new Map<number, number[]>();
    for (const g of list.filter((x) => x.kind !== 'duplicate-incident'))
      byFamily.set(g.family, [...(byFamily.get(g.family) ?? []), Date.parse(g.contact.incident!.occurredAt!)]);
    for (const times of byFamily.values())
      for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(24 * 3_600_000);
    expect(Math.max(...list.map((g) => Date.parse(g.contact.incident!.occurredAt!)))).toBeLessThan(baseTime.getTime());
  });
});
