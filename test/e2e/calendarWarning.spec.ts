import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestHub, TestHub } from '../support/hub';

/**
 * A locality calendar whose bank holidays run out within a year is announced where an operator
 * looks: a warning in the start-up log and in /health/ready's details, which stays 200 (the service
 * works; its deadlines will not, past the list). The date is injected through the policy: one whose
 * list ends this year, and one that reaches five years on.
 */
describe('the calendar warns a year before its bank holidays run out', () => {
  let hub: TestHub;
  const dir = mkdtempSync(join(tmpdir(), 'mash-calendar-'));
  const year = new Date().getUTCFullYear();

  beforeAll(async () => {
    const london = JSON.parse(readFileSync(join(__dirname, '..', '..', 'policies', 'london.json'), 'utf8'));
    const ending = {
      ...london,
      version: 'test-ends-this-year',
      calendar: {
        ...london.calendar,
        bankHolidays: london.calendar.bankHolidays.filter((h: { date: string }) => Number(h.date.slice(0, 4)) <= year),
      },
    };
    if (!ending.calendar.bankHolidays.some((h: { date: string }) => h.date.startsWith(String(year))))
      ending.calendar.bankHolidays.push({ date: `${year}-12-25`, name: 'Christmas Day' });
    const reaching = {
      ...london,
      version: 'test-reaches-on',
      calendar: {
        ...london.calendar,
        bankHolidays: [...london.calendar.bankHolidays, { date: `${year + 5}-12-25`, name: 'Christmas Day' }],
      },
    };
    writeFileSync(join(dir, 'ending.json'), JSON.stringify(ending));
    writeFileSync(join(dir, 'reaching.json'), JSON.stringify(reaching));
    hub = await startTestHub([], {}, { services: [] });
    await hub.start({ name: 'gateway', entry: 'apps/gateway/src/main', env: { MASH_POLICY: join(dir, 'ending.json') } });
    await hub.start({ name: 'triage', entry: 'apps/triage/src/main', env: { MASH_POLICY: join(dir, 'reaching.json') } });
  }, 180000);

  afterAll(async () => {
    await hub?.stop();
  }, 60000);

  it('a list ending this year: a warning at start-up and in /health/ready, which stays 200', async () => {
    const res = await fetch(`${hub.gatewayUrl}/health/ready`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; warnings?: string[] };
    expect(body.status).toBe('ready');
    expect(body.warnings).toEqual([
      expect.stringMatching(
        new RegExp(`^the bank holidays of policy test-ends-this-year run out on ${year}-12-31 \\(\\d+ days\\): add ${year + 1}'s`),
      ),
    ]);
    const started = readFileSync(hub.processes.get('gateway')!.logFile, 'utf8')
      .split('\n')
      .filter((l) => l.includes('calendar running out'))
      .map((l) => JSON.parse(l));
    expect(started).toEqual([expect.objectContaining({ level: 'warn', detail: body.warnings![0] })]);
  });

  it('a list that reaches years on: no warning anywhere', async () => {
    const body = (await (await fetch(`http://127.0.0.1:${hub.ports.triage}/health/ready`)).json()) as {
      status: string;
      warnings?: string[];
    };
    expect(body).toMatchObject({ status: 'ready' });
    expect(body.warnings).toBeUndefined();
    expect(readFileSync(hub.processes.get('triage')!.logFile, 'utf8')).not.toContain('calendar running out');
  });
});
