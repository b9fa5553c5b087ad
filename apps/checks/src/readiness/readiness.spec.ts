import type { PlanItem } from '@mash/contracts';
import { validateData } from '@mash/contracts';
import { assessReadiness, caseReadyMessage, effectiveDue, isLate, ReceivedReply, revisedCaseReadyMessage } from './readiness';

const deadline = '2026-11-24T09:00:00.000Z';
const plan: PlanItem[] = [
  { agency: 'police', categories: ['offending'], dueAt: '2026-11-23T17:00:00.000Z' },
  { agency: 'health', categories: ['health'], dueAt: '2026-11-23T17:00:00.000Z' },
  { agency: 'education', categories: ['education'], dueAt: '2026-11-24T08:00:00.000Z' },
];
const at = (iso: string) => new Date(iso);
const reply = (agency: ReceivedReply['agency'], receivedAt: string): ReceivedReply => ({ agency, receivedAt });

describe('assessReadiness', () => {
  it('is not ready while agencies are outstanding before the deadline, and names them', () => {
    const r = assessReadiness({
      plan,
      caseDeadline: deadline,
      replies: [reply('police', '2026-11-23T12:00:00Z')],
      now: at('2026-11-23T13:00:00Z'),
    });
    expect(r).toMatchObject({
      ready: false,
      complete: false,
      replied: ['police'],
      missing: ['health', 'education'],
      late: [],
      missingAtReady: [],
    });
    expect(r.readyAt).toBeUndefined();
    expect(r.reason).toBeUndefined();
  });

  it('is ready and complete when the last agency replies, at the time of that reply', () => {
    const replies = [
      reply('education', '2026-11-23T10:00:00Z'),
      reply('health', '2026-11-23T16:30:00Z'),
      reply('police', '2026-11-23T12:00:00Z'),
    ];
    const r = assessReadiness({ plan, caseDeadline: deadline, replies, now: at('2026-11-23T20:00:00Z') });
    expect(r).toMatchObject({ ready: true, complete: true, reason: 'all-replied', missing: [], missingAtReady: [], late: [] });
    expect(r.readyAt!.toISOString()).toBe('2026-11-23T16:30:00.000Z');
    expect(r.replied).toEqual(['police', 'health', 'education']);
  });

  it('at the deadline is ready but incomplete, and says exactly who did not reply', () => {
    const replies = [reply('police', '2026-11-23T12:00:00Z')];
    const r = assessReadiness({ plan, caseDeadline: deadline, replies, now: at(deadline) });
    expect(r).toMatchObject({
      ready: true,
      complete: false,
      reason: 'deadline-reached',
      missing: ['health', 'education'],
      missingAtReady: ['health', 'education'],
    });
    expect(r.readyAt!.toISOString()).toBe(deadline);
  });

  it('flags agencies that replied after their own due time, before the case deadline', () => {
    const replies = [
      reply('police', '2026-11-23T17:00:00Z'),
      reply('health', '2026-11-23T17:00:01Z'),
      reply('education', '2026-11-24T07:00:00Z'),
    ];
    const r = assessReadiness({ plan, caseDeadline: deadline, replies, now: at('2026-11-24T07:00:00Z') });
    expect(r.late).toEqual(['health']);
    expect(r).toMatchObject({ ready: true, complete: true, reason: 'all-replied' });
  });

  it('accepts a reply after the case became ready, as replied, late and after readiness', () => {
    const replies = [
      reply('police', '2026-11-23T12:00:00Z'),
      reply('education', '2026-11-23T12:00:00Z'),
      reply('health', '2026-11-24T11:00:00Z'),
    ];
    const r = assessReadiness({ plan, caseDeadline: deadline, replies, now: at('2026-11-24T12:00:00Z') });
    expect(r).toMatchObject({
      ready: true,
      complete: false,
      reason: 'deadline-reached',
      missing: [],
      missingAtReady: ['health'],
      repliedAfterReady: ['health'],
      late: ['health'],
    });
    expect(r.replied).toEqual(['police', 'health', 'education']);
    expect(r.readyAt!.toISOString()).toBe(deadline);
  });

  it('judges an agency by its first reply: a later correction does not make it late', () => {
    const replies = [reply('police', '2026-11-23T12:00:00Z'), reply('police', '2026-11-23T20:00:00Z')];
    const r = assessReadiness({ plan, caseDeadline: deadline, replies, now: at('2026-11-23T21:00:00Z') });
    expect(r.replied).toEqual(['police']);
    expect(r.late).toEqual([]);
  });

  it('ignores replies received after now, so any past moment can be re-asked', () => {
    const replies = [
      reply('police', '2026-11-23T12:00:00Z'),
      reply('health', '2026-11-23T12:00:00Z'),
      reply('education', '2026-11-23T15:00:00Z'),
    ];
    const before = assessReadiness({ plan, caseDeadline: deadline, replies, now: at('2026-11-23T14:59:59Z') });
    expect(before).toMatchObject({ ready: false, missing: ['education'] });
    const after = assessReadiness({ plan, caseDeadline: deadline, replies, now: at('2026-11-23T15:00:00Z') });
    expect(after).toMatchObject({ ready: true, reason: 'all-replied' });
  });

  it('does not count replies from agencies the plan did not ask, but reports them', () => {
    const replies = [reply('police', '2026-11-23T12:00:00Z'), reply('housing', '2026-11-23T12:00:00Z')];
    const r = assessReadiness({ plan: plan.slice(0, 1), caseDeadline: deadline, replies, now: at('2026-11-23T12:30:00Z') });
    expect(r.replied).toEqual(['police']);
    expect(r.unplanned).toEqual(['housing']);
    expect(r.ready).toBe(true);
  });

  it('treats a due time after the case deadline as the deadline when judging lateness', () => {
    const item = { dueAt: '2026-11-30T09:00:00Z' };
    expect(effectiveDue(item, deadline).toISOString()).toBe(deadline);
    expect(isLate(item, deadline, '2026-11-24T09:00:01Z')).toBe(true);
    expect(isLate(item, deadline, deadline)).toBe(false);
  });

  it('is ready and complete at once for an empty plan', () => {
    const r = assessReadiness({ plan: [], caseDeadline: deadline, replies: [], now: at('2026-11-23T10:00:00Z') });
    expect(r).toMatchObject({ ready: true, complete: true, reason: 'all-replied', replied: [], missing: [] });
  });

  it('refuses a plan that names an agency twice and unreadable times', () => {
    expect(() => assessReadiness({ plan: [plan[0], plan[0]], caseDeadline: deadline, replies: [], now: at(deadline) })).toThrow(/twice/);
    expect(() => assessReadiness({ plan, caseDeadline: deadline, replies: [reply('police', 'soon')], now: at(deadline) })).toThrow(
      /receivedAt/,
    );
  });
});

describe('caseReadyMessage', () => {
  const replies = [
    reply('police', '2026-11-23T12:00:00Z'),
    reply('health', '2026-11-23T18:00:00Z'),
    reply('education', '2026-11-24T10:00:00Z'),
  ];

  it('describes the moment of readiness, not replies that came after it', () => {
    const r = assessReadiness({ plan, caseDeadline: deadline, replies, now: at('2026-11-24T11:00:00Z') });
    const msg = caseReadyMessage('case-1', r, [{ agency: 'police', date: '2026-10-01', summary: 'Incident', category: 'offending' }]);
    expect(msg).toEqual({
      caseId: 'case-1',
      readyAt: deadline,
      complete: false,
      reason: 'deadline-reached',
      replied: ['police', 'health'],
      missing: ['education'],
      late: ['health'],
      chronology: [{ agency: 'police', date: '2026-10-01', summary: 'Incident', category: 'offending' }],
    });
    expect(validateData('caseReady', msg)).toEqual({ ok: true, value: msg });
  });

  it('refuses a case that is not ready', () => {
    const r = assessReadiness({ plan, caseDeadline: deadline, replies: [], now: at('2026-11-23T10:00:00Z') });
    expect(() => caseReadyMessage('case-1', r, [])).toThrow(/not ready/);
  });
});

describe('revisedCaseReadyMessage', () => {
  const replies = [reply('police', '2026-11-23T12:00:00Z'), reply('health', '2026-11-24T10:00:00Z')];

  it('describes now: the late agency replied, the silent one still missing, readiness unchanged', () => {
    const r = assessReadiness({ plan, caseDeadline: deadline, replies, now: at('2026-11-24T10:00:00Z') });
    const msg = revisedCaseReadyMessage('case-1', r, [], 2, at('2026-11-24T10:00:00Z'));
    expect(msg).toEqual({
      caseId: 'case-1',
      readyAt: deadline,
      complete: false,
      reason: 'deadline-reached',
      replied: ['police', 'health'],
      missing: ['education'],
      late: ['health'],
      chronology: [],
      revision: 2,
      revisedAt: '2026-11-24T10:00:00.000Z',
      repliedAfterReady: ['health'],
    });
    expect(validateData('caseReady', msg).ok).toBe(true);
  });

  it('refuses revision 1, which is the picture at readiness', () => {
    const r = assessReadiness({ plan, caseDeadline: deadline, replies, now: at('2026-11-24T10:00:00Z') });
    expect(() => revisedCaseReadyMessage('case-1', r, [], 1, at('2026-11-24T10:00:00Z'))).toThrow(RangeError);
  });
});
