import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHECK_AGENCIES } from '@mash/contracts';
import { loadPolicy, loadPolicyFromEnv, parsePolicy, policyPathFromEnv, PolicyError, repoRoot, teamsToAlert } from '.';
import { policiesDir, shippedPolicy } from './testing';

const raw = (locality: string) => JSON.parse(readFileSync(join(policiesDir, `${locality}.json`), 'utf8'));

function errorsOf(value: unknown): PolicyError {
  try {
    parsePolicy(value, 'test');
  } catch (e) {
    if (e instanceof PolicyError) return e;
    throw e;
  }
  throw new Error('policy was accepted');
}

describe('shipped policies', () => {
  it.each(['london', 'sandwell', 'sefton'] as const)('%s loads and validates', (locality) => {
    const p = shippedPolicy(locality);
    expect(p.locality).toBe(locality);
    expect(p.version).toMatch(new RegExp(`^${locality}-`));
    expect(p.sources.length).toBeGreaterThan(5);
    for (const a of p.agencies) expect(CHECK_AGENCIES).toContain(a.id);
  });

  it('carry the timescales of their sources', () => {
    const t = (l: 'london' | 'sandwell' | 'sefton') =>
      (['RED', 'AMBER', 'GREEN'] as const).map(
        (r) => `${shippedPolicy(l).ratings[r].timescale.amount} ${shippedPolicy(l).ratings[r].timescale.unit}`,
      );
    expect(t('london')).toEqual(['4 hours', '1 working-days', '3 working-days']); // L4192-4196
    expect(t('sandwell')).toEqual(['4 hours', '24 hours', '72 hours']); // L5795
    expect(t('sefton')).toEqual(['2 hours', '6 working-hours', '24 hours']); // L280-283
    for (const l of ['london', 'sandwell', 'sefton'] as const) expect(shippedPolicy(l).ratings.RED.clockRunsOutOfHours).toBe(true);
  });

  it('default the repeat trigger to 3 in 12 months (L218-225) and keep MASH records 6 months (L1680)', () => {
    for (const l of ['london', 'sandwell', 'sefton'] as const) {
      expect(shippedPolicy(l).repeatTrigger).toEqual({ count: 3, windowMonths: 12 });
      expect(shippedPolicy(l).retention.mashRecordMonths).toBe(6);
    }
  });

  it('tell teams at once only for Red', () => {
    expect(teamsToAlert('RED', shippedPolicy('london')).length).toBeGreaterThan(0);
    expect(teamsToAlert('AMBER', shippedPolicy('london'))).toEqual([]);
  });
});

/** Independent of the data: the England & Wales rules, to catch a typo in the list. */
function expectedBankHolidays(year: number): string[] {
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const utc = (m: number, d: number) => new Date(Date.UTC(year, m - 1, d));
  const addDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);
  // Anonymous Gregorian computus.
  const a = year % 19,
    b = Math.floor(year / 100),
    c = year % 100,
    d = Math.floor(b / 4),
    e = b % 4;
  const f = Math.floor((b + 8) / 25),
    g = Math.floor((b - f + 1) / 3),
    h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4),
    k = c % 4,
    l = (32 + 2 * e + 2 * i - h - k) % 7,
    m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31),
    day = ((h + l - 7 * m + 114) % 31) + 1;
  const easter = utc(month, day);
  const firstMonday = (m: number) => {
    let x = utc(m, 1);
    while (x.getUTCDay() !== 1) x = addDays(x, 1);
    return x;
  };
  const lastMonday = (m: number) => {
    let x = addDays(utc(m + 1, 1), -1);
    while (x.getUTCDay() !== 1) x = addDays(x, -1);
    return x;
  };
  let newYear = utc(1, 1);
  while (newYear.getUTCDay() === 0 || newYear.getUTCDay() === 6) newYear = addDays(newYear, 1);
  // Christmas and Boxing Day: a weekend day moves to the next free weekday.
  const taken = new Set<string>();
  const christmas: string[] = [];
  for (const base of [utc(12, 25), utc(12, 26)]) {
    let x = base;
    while (x.getUTCDay() === 0 || x.getUTCDay() === 6 || taken.has(iso(x))) x = addDays(x, 1);
    taken.add(iso(x));
    christmas.push(iso(x));
  }
  return [
    iso(newYear),
    iso(addDays(easter, -2)),
    iso(addDays(easter, 1)),
    iso(firstMonday(5)),
    iso(lastMonday(5)),
    iso(lastMonday(8)),
    ...christmas,
  ];
}

describe('bank holidays', () => {
  it.each([2025, 2026, 2027, 2028])('lists exactly the England & Wales bank holidays of %i', (year) => {
    const listed = shippedPolicy('london')
      .calendar.bankHolidays.map((h) => h.date)
      .filter((d) => d.startsWith(`${year}-`));
    expect(listed).toEqual(expectedBankHolidays(year));
  });
  it('include Easter 2027 and the 2027 Christmas substitute days by name', () => {
    const byDate = new Map(shippedPolicy('sefton').calendar.bankHolidays.map((h) => [h.date, h.name]));
    expect(byDate.get('2027-03-26')).toBe('Good Friday');
    expect(byDate.get('2027-03-29')).toBe('Easter Monday');
    expect(byDate.get('2027-12-27')).toMatch(/substitute/);
    expect(byDate.get('2028-01-03')).toMatch(/substitute/);
  });
});

describe('broken policies', () => {
  it('name the field and the rule for a schema error', () => {
    const p = raw('london');
    p.ratings.AMBER.timescale.unit = 'fortnights';
    const e = errorsOf(p);
    expect(e.errors).toContainEqual(expect.objectContaining({ path: '/ratings/AMBER/timescale/unit', rule: 'enum' }));
    expect(e.message).toContain('/ratings/AMBER/timescale/unit');
  });
  it('name a missing field', () => {
    const p = raw('sandwell');
    delete p.version;
    expect(errorsOf(p).errors).toContainEqual(expect.objectContaining({ path: '/version', rule: 'required' }));
  });
  it('reject an agency that is not in the contracts', () => {
    const p = raw('london');
    p.agencies[0].id = 'fire-service';
    expect(errorsOf(p).errors).toContainEqual(expect.objectContaining({ path: '/agencies/0/id', rule: 'enum' }));
  });
  it('reject consultation of an agency that does not take part', () => {
    const p = raw('sefton');
    p.consultation.byRating.GREEN.push('education');
    expect(errorsOf(p).errors).toContainEqual(
      expect.objectContaining({ path: '/consultation/byRating/GREEN/1', rule: 'participating-agency' }),
    );
  });
  it('reject a consent limit wider than the agency may ever be asked', () => {
    const p = raw('london');
    p.consentLimits.refused.police = ['health'];
    expect(errorsOf(p).errors).toContainEqual(
      expect.objectContaining({ path: '/consentLimits/refused/police/0', rule: 'agency-categories' }),
    );
  });
  it('reject a clock that runs out of hours on working hours, duplicate rule ids, bad hours and zones', () => {
    const p = raw('london');
    p.ratings.RED.timescale.unit = 'working-hours';
    p.thresholds.rules[1].id = p.thresholds.rules[0].id;
    p.calendar.workingHours = { start: '17:00', end: '09:00' };
    p.calendar.timezone = 'Europe/Atlantis';
    const rules = errorsOf(p).errors.map((x) => `${x.path} ${x.rule}`);
    expect(rules).toEqual(
      expect.arrayContaining([
        '/ratings/RED/clockRunsOutOfHours clock-unit',
        '/thresholds/rules/1/id unique-rule-id',
        '/calendar/workingHours start-before-end',
        '/calendar/timezone timezone',
      ]),
    );
  });
  it('reject a bank holiday that is not a date', () => {
    const p = raw('london');
    p.calendar.bankHolidays.push({ date: '2027-02-30', name: 'No such day' });
    expect(errorsOf(p).errors).toContainEqual(expect.objectContaining({ path: '/calendar/bankHolidays/32/date', rule: 'format' }));
  });
  it('reject a rule condition that is not monotone (false is not allowed)', () => {
    const p = raw('london');
    p.thresholds.rules[0].when = { informationOnly: false };
    expect(errorsOf(p).errors).toContainEqual(expect.objectContaining({ path: '/thresholds/rules/0/when/informationOnly', rule: 'const' }));
  });
  it('loadPolicy throws a named error for a broken file and for bad JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-'));
    const broken = raw('london');
    broken.repeatTrigger.count = 1;
    writeFileSync(join(dir, 'broken.json'), JSON.stringify(broken));
    writeFileSync(join(dir, 'bad.json'), '{ "locality": ');
    expect(() => loadPolicy(join(dir, 'broken.json'))).toThrow(/\/repeatTrigger\/count .*rule: minimum/);
    expect(() => loadPolicy(join(dir, 'bad.json'))).toThrow(PolicyError);
  });
});

describe('loadPolicyFromEnv', () => {
  it('defaults to the London template, found from the repository root whatever the working directory', () => {
    const cwd = process.cwd();
    try {
      process.chdir(tmpdir());
      expect(policyPathFromEnv({})).toBe(join(repoRoot(), 'policies', 'london.json'));
      expect(loadPolicyFromEnv({}).locality).toBe('london');
    } finally {
      process.chdir(cwd);
    }
  });
  it('takes MASH_POLICY, relative to the repository root or absolute', () => {
    expect(loadPolicyFromEnv({ MASH_POLICY: 'policies/sefton.json' }).locality).toBe('sefton');
    expect(loadPolicyFromEnv({ MASH_POLICY: join(policiesDir, 'sandwell.json') }).locality).toBe('sandwell');
  });
  it('refuses a missing or broken file with the path in the message', () => {
    expect(() => loadPolicyFromEnv({ MASH_POLICY: 'policies/atlantis.json' })).toThrow(/atlantis\.json.*cannot be read/);
  });
});
