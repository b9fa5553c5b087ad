import { outcomeNotice } from '../outcomeNotice';
import { decisionFixture, NEIGHBOUR, noticeContactFixture } from '../outcomeNotice/fixtures';
import { EmailChannel, emailConfigFromEnv } from './email';
import { LocalSmtp, startLocalSmtp } from './localSmtp';

const notice = outcomeNotice(decisionFixture({ outcomes: ['advice'] }), noticeContactFixture(), new Date('2026-11-21T10:31:00Z'));

describe('email delivery through a real SMTP server', () => {
  let smtp: LocalSmtp;
  let channel: EmailChannel;

  beforeAll(async () => {
    smtp = await startLocalSmtp(0, { rejectRecipient: (a) => (a.startsWith('gone@') ? 550 : a.startsWith('busy@') ? 451 : undefined) });
    channel = new EmailChannel({ host: '127.0.0.1', port: smtp.port, from: 'MASH <mash@exampleton.gov.uk>', timeoutMs: 3000 });
  });
  afterAll(async () => {
    channel.close();
    await smtp.close();
  });

  it('delivers the notice text, with references only in the subject and a stable message id', async () => {
    const before = smtp.messages.length;
    const receipt = await channel.deliver(notice, { kind: 'email', address: 'dsl@school.example.org' });
    expect(receipt).toMatchObject({ channel: 'email', status: 'delivered' });
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail!.envelopeTo).toEqual(['dsl@school.example.org']);
    expect(mail!.subject).toBe('MASH: outcome of your contact (ref PVP-2026-000123)');
    expect(mail!.text?.trim()).toBe(notice.text);
    expect(mail!.messageId).toBe(`<${notice.noticeId}@mash-hub>`);
    expect(mail!.headers['x-mash-notice-id']).toBe(notice.noticeId);
  });

  it('a refused mailbox (5xx) is a permanent failure and the receipt names no address', async () => {
    const receipt = await channel.deliver(notice, { kind: 'email', address: 'gone@school.example.org' });
    expect(receipt).toMatchObject({ status: 'failed', retryable: false });
    expect(JSON.stringify(receipt)).not.toContain('school.example.org');
  });

  it('a temporary refusal (4xx) is retryable', async () => {
    expect(await channel.deliver(notice, { kind: 'email', address: 'busy@school.example.org' })).toMatchObject({
      status: 'failed',
      detail: 'SMTP 451',
      retryable: true,
    });
  });

  it('a public referrer gets the public text by email too', async () => {
    const n = outcomeNotice(decisionFixture(), noticeContactFixture(NEIGHBOUR), new Date('2026-11-21T10:31:00Z'));
    const before = smtp.messages.length;
    await channel.deliver(n, { kind: 'email', address: NEIGHBOUR.channel.address });
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail!.text).toContain('we cannot tell you what action');
    expect(mail!.subject).not.toContain('Neighbour');
  });

  it('SMTP server down: failed, retryable', async () => {
    const gone = await startLocalSmtp();
    await gone.close();
    const c = new EmailChannel({ host: '127.0.0.1', port: gone.port, from: 'mash@localhost', timeoutMs: 2000 });
    try {
      expect(await c.deliver(notice, { kind: 'email', address: 'x@example.org' })).toMatchObject({ status: 'failed', retryable: true });
    } finally {
      c.close();
    }
  });

  it('reads its settings from the environment', () => {
    expect(
      emailConfigFromEnv({ SMTP_HOST: 'smtp.example', SMTP_PORT: '587', SMTP_USER: 'u', SMTP_PASS: 'p', SMTP_REQUIRE_TLS: 'true' }),
    ).toMatchObject({
      host: 'smtp.example',
      port: 587,
      requireTLS: true,
      auth: { user: 'u', pass: 'p' },
    });
    expect(emailConfigFromEnv({}).auth).toBeUndefined();
  });
});
