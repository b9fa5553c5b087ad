import { replyDueBy } from './replyDue';

describe('replyDueBy: no agency is given longer than the case', () => {
  const deadline = new Date('2026-11-30T14:30:00Z');

  it('keeps a due time at or before the case deadline', () => {
    expect(replyDueBy(new Date('2026-11-30T12:00:00Z'), deadline)).toEqual(new Date('2026-11-30T12:00:00Z'));
    expect(replyDueBy(new Date('2026-11-30T14:30:00Z'), deadline)).toEqual(deadline);
  });

  it('brings a due time after the deadline back to the deadline', () => {
    expect(replyDueBy(new Date('2026-11-30T14:30:00.001Z'), deadline)).toEqual(deadline);
    expect(replyDueBy(new Date('2026-12-07T09:00:00Z'), deadline)).toEqual(deadline);
  });
});
