import { generateContacts, GeneratedContact } from '../../scripts/load/generate';
import { simulate, ScheduledContact, SimulationResult } from '../../scripts/simulate/engine';
import { figures } from '../../scripts/simulate/report';

/**
 * A short simulated period on the real hub (services, Kafka, Postgres) on the virtual clock, each
 * figure checked against what was worked out by hand from the London policy (docs/simulation.md):
 * 09:00-17:00 on weekdays, Monday 31 August 2026 a bank holiday, BST = UTC+1; Red 4 hours round the
 * clock, Amber 1 working day, Green 3 working days. Health never answers; every other agency
 * answers on time.
 */
const at = (iso: string) => Date.parse(iso);

function pick(list: GeneratedContact[], want: (g: GeneratedContact) => boolean, atMs: number): ScheduledContact {
  const g = list.find((x) => x.kind === 'new' && want(x));
  if (!g) throw new Error('generator gave no such contact');
  const contact = {
    ...g.contact,
    ...(g.contact.incident ? { incident: { ...g.contact.incident, occurredAt: new Date(atMs - 3_600_000).toISOString() } } : {}),
  };
  return { at: atMs, agency: g.agency, contact };
}

describe('simulation on the virtual clock (real hub)', () => {
  let result: SimulationResult;
  const amberAt = at('2026-08-28T14:00:00Z'); // Friday 15:00, before the August bank holiday
  const greenAt = at('2026-08-28T09:00:00Z'); // Friday 10:00
  const redAt = at('2026-08-30T01:00:00Z'); // Sunday 02:00

  beforeAll(async () => {
    const list = generateContacts({ count: 300, seed: 17, baseTime: new Date('2026-08-27T00:00:00Z'), tag: 'SIMSPEC' });
    const contacts = [
      pick(list, (g) => g.intended === 'GREEN' && g.agency === 'contact-centre' && g.contact.referrer.channel?.kind === 'none', greenAt),
      pick(list, (g) => g.intended === 'AMBER' && g.agency === 'education', amberAt),
      pick(list, (g) => g.intended === 'RED' && g.agency === 'police', redAt),
    ];
    result = await simulate({
      policy: 'policies/london.json',
      start: new Date('2026-08-27T23:00:00Z'),
      days: 5,
      seed: 17,
      contacts,
      agencies: (agency) => (agency === 'health' ? { silence: 1, late: 0 } : { silence: 0, late: 0 }),
    });
  }, 25 * 60_000);

  it('dates each case on the policy calendar: Red at 02:00 on a Sunday due 06:00, Amber on Friday afternoon before a bank holiday due Tuesday', () => {
    expect(result.refused).toEqual([]);
    const byRating = new Map(result.records.cases.map((c) => [c.rating, c]));
    expect(result.records.cases).toHaveLength(3);
    expect(new Date(byRating.get('RED')!.deadline).toISOString()).toBe('2026-08-30T05:00:00.000Z');
    expect(new Date(byRating.get('AMBER')!.deadline).toISOString()).toBe('2026-09-01T14:00:00.000Z');
    // Friday 10:00-17:00 (7 h), Tuesday and Wednesday (16 h), Thursday 09:00-10:00.
    expect(new Date(byRating.get('GREEN')!.deadline).toISOString()).toBe('2026-09-03T09:00:00.000Z');
    expect(byRating.get('RED')!.receivedAt).toBe(redAt);
    expect(byRating.get('AMBER')!.receivedAt).toBe(amberAt);
  });

  it('reports each figure as worked out by hand', () => {
    const [red, amber, green, all] = figures(result.records);
    // Health is silent, so every case waits for its deadline, is ready then with health missing,
    // and is decided after it (the duty service for Red on Sunday morning, the team for the rest).
    for (const f of [red!, amber!, green!]) {
      expect(f).toMatchObject({ cases: 1, ready: 1, readyInTime: 1, readyWithMissing: 1, decided: 1, decidedInTime: 0 });
    }
    // Red decided on the Sunday morning: no working time has passed.
    expect(red!.medianWorkingDays).toBe(0);
    // Each case asked health once; health was chased before each due time (reminders at half and
    // four fifths of its time), and nothing else was overdue.
    expect(all).toMatchObject({ overdueRequests: 3, chasedBeforeDue: 3 });
    // Police and the school have a channel and hear within the minute; the anonymous caller has none.
    expect(all).toMatchObject({ referrersWithChannel: 2, toldWithinMinute: 2, noChannel: 1 });
    expect(green).toMatchObject({ referrersWithChannel: 0, noChannel: 1 });
  });

  it('asks health on every case and marks it missing, and no other agency', () => {
    const health = result.records.requests.filter((r) => r.agency === 'health');
    expect(health).toHaveLength(3);
    expect(health.every((r) => r.repliedAt === undefined && r.reminders.length > 0)).toBe(true);
    expect(
      result.records.requests.filter((r) => r.agency !== 'health').every((r) => r.repliedAt !== undefined && r.repliedAt <= r.dueAt),
    ).toBe(true);
    expect(result.records.cases.every((c) => (c.missingAtReady ?? []).join() === 'health')).toBe(true);
  });
});
