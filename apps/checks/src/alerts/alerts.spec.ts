import { refusalReason, replyTopicAgency } from './alerts.service';

describe('replyTopicAgency', () => {
  it('names the agency of a reply topic and nothing else', () => {
    expect(replyTopicAgency('mash.check.adult-social-care.replied.v1')).toBe('adult-social-care');
    expect(replyTopicAgency('mash.check.police.requested.v1')).toBeUndefined();
    expect(replyTopicAgency('mash.check.martians.replied.v1')).toBeUndefined();
    expect(replyTopicAgency('mash.deadletter.v1')).toBeUndefined();
  });
});

describe('refusalReason', () => {
  it('gives the rule and the path, never the message text, which may quote the reply', () => {
    expect(
      refusalReason({
        reason: 'message breaks its contract',
        errors: [{ path: '/data/known', rule: 'type', message: "'Amy' must be boolean" }],
      }),
    ).toBe('message breaks its contract: /data/known type');
  });
  it("fits the contract's 500 characters", () => {
    const errors = Array.from({ length: 100 }, (_, i) => ({ path: `/data/entries/${i}/date`, rule: 'required' }));
    expect(refusalReason({ reason: 'message breaks its contract', errors }).length).toBe(500);
  });
});
