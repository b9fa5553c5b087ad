import { validateData } from '@mash/contracts';
import { chasedMessage, chaseSchedule, ChaseRequest, DEFAULT_CHASE_POLICY, PointInWindow } from './schedule';

const request: ChaseRequest = {
  caseId: 'case-1',
  requestId: 'req-1',
  agency: 'health',
  requestedAt: '2026-11-23T09:00:00.000Z',
  dueAt: '2026-11-23T19:00:00.000Z',
  caseDeadline: '2026-11-24T09:00:00.000Z',
};

const iso = (d: Date) => d.toISOString();

describe('chaseSchedule', () => {
  it('reminds at 1/2 and 4/5 of the window, escalates at due, then the case deadline', () => {
    const timers = chaseSchedule(request);
    expect(timers.map((t) => [t.kind, iso(t.fireAt)])).toEqual([
      ['reminder', '2026-11-23T14:00:00.000Z'],
      ['reminder', '2026-11-23T17:00:00.000Z'],
      ['escalation', '2026-11-23T19:00:00.000Z'],
      ['case-deadline', '2026-11-24T09:00:00.000Z'],
    ]);
  });

  it('ties agency timers to the request and the case deadline to the case only', () => {
    const timers = chaseSchedule(request);
    for (const t of timers.filter((x) => x.kind !== 'case-deadline')) {
      expect(t).toMatchObject({ caseId: 'case-1', requestId: 'req-1', agency: 'health' });
      expect(iso(t.dueAt)).toBe(request.dueAt);
    }
    const deadline = timers.find((t) => t.kind === 'case-deadline')!;
    expect(deadline.requestId).toBeUndefined();
    expect(deadline.agency).toBeUndefined();
  });

  it('gives every request of a case the same case-deadline key and distinct chase keys', () => {
    const a = chaseSchedule(request);
    const b = chaseSchedule({ ...request, requestId: 'req-2', agency: 'police' });
    const keys = [...a, ...b].map((t) => t.key);
    expect(new Set(keys).size).toBe(keys.length - 1);
    expect(a.find((t) => t.kind === 'case-deadline')!.key).toBe(b.find((t) => t.kind === 'case-deadline')!.key);
  });

  it('is deterministic, so a redelivered request yields the same timers', () => {
    expect(chaseSchedule(request)).toEqual(chaseSchedule(request));
  });

  it('follows a policy given as data', () => {
    const timers = chaseSchedule(request, { policy: { reminderAt: [0.9, 0.1], escalateAt: 1 } });
    expect(timers.filter((t) => t.kind === 'reminder').map((t) => iso(t.fireAt))).toEqual([
      '2026-11-23T10:00:00.000Z',
      '2026-11-23T18:00:00.000Z',
    ]);
  });

  it('treats a due time after the case deadline as the case deadline', () => {
    const timers = chaseSchedule({ ...request, dueAt: '2026-11-25T09:00:00.000Z' });
    const escalation = timers.find((t) => t.kind === 'escalation')!;
    expect(iso(escalation.fireAt)).toBe(request.caseDeadline);
    expect(iso(escalation.dueAt)).toBe(request.caseDeadline);
    expect(iso(timers.find((t) => t.kind === 'reminder')!.fireAt)).toBe('2026-11-23T21:00:00.000Z');
  });

  it('escalates at once, without reminders, when the request is already overdue', () => {
    const timers = chaseSchedule({ ...request, dueAt: '2026-11-23T08:00:00.000Z' });
    expect(timers.map((t) => t.kind)).toEqual(['escalation', 'case-deadline']);
    expect(iso(timers[0].fireAt)).toBe('2026-11-23T08:00:00.000Z');
  });

  it('uses the working calendar it is given, and keeps a reminder once when two points meet', () => {
    // A calendar whose office is shut all afternoon: anything past half way opens at 08:00 next day.
    const calls: number[] = [];
    const calendar: PointInWindow = (start, end, fraction) => {
      calls.push(fraction);
      return fraction >= 0.5 && fraction < 1
        ? new Date('2026-11-23T18:00:00.000Z')
        : new Date(start.getTime() + (end.getTime() - start.getTime()) * fraction);
    };
    const timers = chaseSchedule(request, { pointInWindow: calendar });
    expect(calls).toEqual([...DEFAULT_CHASE_POLICY.reminderAt, DEFAULT_CHASE_POLICY.escalateAt]);
    expect(timers.filter((t) => t.kind === 'reminder').map((t) => iso(t.fireAt))).toEqual(['2026-11-23T18:00:00.000Z']);
  });

  it('drops a reminder a calendar puts on the due instant', () => {
    const calendar: PointInWindow = (_start, end) => end;
    expect(chaseSchedule(request, { pointInWindow: calendar }).map((t) => t.kind)).toEqual(['escalation', 'case-deadline']);
  });

  it.each([[[0]], [[1]], [[1.5]], [[-0.2]], [[Number.NaN]]])('rejects reminder points outside (0, 1): %p', (reminderAt) => {
    expect(() => chaseSchedule(request, { policy: { reminderAt, escalateAt: 1 } })).toThrow(RangeError);
  });

  it('rejects an escalation point outside (0, 1] and unreadable times', () => {
    expect(() => chaseSchedule(request, { policy: { reminderAt: [], escalateAt: 1.2 } })).toThrow(/escalation/);
    expect(() => chaseSchedule({ ...request, dueAt: 'tomorrow' })).toThrow(/dueAt/);
  });
});

describe('chasedMessage', () => {
  it('turns a fired reminder into a valid mash.check.chased.v1 body', () => {
    const reminder = chaseSchedule(request)[0];
    const msg = chasedMessage(reminder, new Date('2026-11-23T14:00:02.000Z'));
    expect(msg).toEqual({
      caseId: 'case-1',
      requestId: 'req-1',
      agency: 'health',
      kind: 'reminder',
      at: '2026-11-23T14:00:02.000Z',
      dueAt: request.dueAt,
    });
    expect(validateData('checkChased', msg).ok).toBe(true);
  });

  it('refuses the case deadline, which chases no agency', () => {
    const deadline = chaseSchedule(request).find((t) => t.kind === 'case-deadline')!;
    expect(() => chasedMessage(deadline, new Date())).toThrow(/case deadline/);
  });
});
