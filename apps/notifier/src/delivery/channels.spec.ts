import { TOPICS } from '@mash/contracts';
import { outcomeNotice } from '../outcomeNotice';
import { decisionFixture, noticeContactFixture } from '../outcomeNotice/fixtures';
import { targetFor } from './channel';
import { deliveryRecord, NoticeDispatcher } from './dispatch';
import { NoChannel } from './noChannel';
import { noticeMessage, NoticeMessage, TopicChannel } from './topic';

const NOW = new Date('2026-11-21T10:31:00Z');
const clock = () => NOW;
const notice = outcomeNotice(decisionFixture(), noticeContactFixture(), NOW);

describe('topic channel', () => {
  it("is the agency's notice topic, keyed by case", () => {
    expect(noticeMessage(notice, 'police')).toEqual({ topic: 'mash.notice.police.issued.v1', key: 'CASE-0001', data: notice });
  });

  it('publishes through the given outbox function; a failed publish is retryable', async () => {
    const published: NoticeMessage[] = [];
    const ok = new TopicChannel(async (m) => void published.push(m), clock);
    expect(await ok.deliver(notice, { kind: 'topic', agency: 'education' })).toMatchObject({
      status: 'delivered',
      detail: 'mash.notice.education.issued.v1',
    });
    expect(published.map((m) => m.topic)).toEqual(['mash.notice.education.issued.v1']);
    const broken = new TopicChannel(async () => {
      throw new Error('outbox down');
    }, clock);
    expect(await broken.deliver(notice, { kind: 'topic', agency: 'education' })).toMatchObject({ status: 'failed', retryable: true });
  });
});

describe('no channel', () => {
  it('records a no-channel receipt and counts it by reason', async () => {
    const none = new NoChannel(clock);
    expect(await none.deliver(notice, { kind: 'none', reason: 'anonymous' })).toEqual({
      channel: 'none',
      status: 'no-channel',
      at: NOW.toISOString(),
      detail: 'no channel: anonymous',
      retryable: false,
    });
    await none.deliver(notice, { kind: 'none', reason: 'anonymous' });
    await none.deliver(notice, { kind: 'none', reason: 'no-contact-details' });
    expect(none.counts()).toEqual({ anonymous: 2, unknown: 0, 'no-contact-details': 1, 'no-registered-endpoint': 0 });
  });
});

describe('dispatcher', () => {
  it('routes by target kind and turns a contact topic channel into the agency topic', async () => {
    const published: NoticeMessage[] = [];
    const none = new NoChannel(clock);
    const d = new NoticeDispatcher({ topic: new TopicChannel(async (m) => void published.push(m), clock), none }, clock);
    expect((await d.deliver(notice, targetFor({ kind: 'topic' }, 'police'))).status).toBe('delivered');
    expect(published[0]!.topic).toBe('mash.notice.police.issued.v1');
    expect((await d.deliver(notice, targetFor({ kind: 'none', reason: 'unknown' }, 'contact-centre'))).status).toBe('no-channel');
    expect(none.counts().unknown).toBe(1);
  });

  it('a channel that is not configured fails loudly instead of skipping', async () => {
    const d = new NoticeDispatcher({ none: new NoChannel(clock) }, clock);
    expect(await d.deliver(notice, { kind: 'email', address: 'a@b.example' })).toMatchObject({
      status: 'failed',
      detail: 'email channel not configured',
      retryable: false,
    });
  });

  it('a channel that throws becomes a retryable failure', async () => {
    const d = new NoticeDispatcher(
      {
        none: new NoChannel(clock),
        webhook: {
          kind: 'webhook',
          deliver: async () => {
            throw new TypeError('bug');
          },
        },
      },
      clock,
    );
    expect(await d.deliver(notice, { kind: 'webhook', url: 'http://x' })).toMatchObject({
      status: 'failed',
      detail: 'channel error: TypeError',
      retryable: true,
    });
  });
});

describe('delivery record', () => {
  it('is a mash.notice.delivered.v1 message about the notice', () => {
    const rec = deliveryRecord(
      notice,
      { channel: 'webhook', status: 'failed', at: NOW.toISOString(), detail: 'HTTP 500', retryable: true },
      3,
    );
    expect(rec).toEqual({
      noticeId: notice.noticeId,
      caseId: 'CASE-0001',
      contactId: 'CON-0001',
      kind: 'outcome',
      recipient: 'Example Constabulary',
      channel: 'webhook',
      status: 'failed',
      attempts: 3,
      at: NOW.toISOString(),
      detail: 'HTTP 500',
    });
    expect(TOPICS.noticeDelivered).toBe('mash.notice.delivered.v1');
  });
});
