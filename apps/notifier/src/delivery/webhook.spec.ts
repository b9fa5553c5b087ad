import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NoticeIssued } from '@mash/contracts';
import { outcomeNotice } from '../outcomeNotice';
import { decisionFixture, noticeContactFixture } from '../outcomeNotice/fixtures';
import { verifySignature } from '@mash/contracts';
import { WebhookChannel } from './webhook';

const SECRET = 'police-adapter-secret';
const notice: NoticeIssued = outcomeNotice(decisionFixture(), noticeContactFixture(), new Date('2026-11-21T10:31:00Z'));

interface Received {
  body: string;
  headers: http.IncomingHttpHeaders;
  verified: boolean;
}

/** A receiving adapter as an agency would write one: checks the signature on the raw bytes. */
async function receiver(status: number | 'hang'): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const verified = verifySignature(
        body,
        req.headers['x-mash-signature'] as string,
        SECRET,
        req.headers['x-mash-timestamp'] as string,
        300,
      );
      received.push({ body, headers: req.headers, verified });
      if (status === 'hang') return;
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mash/notices`,
    received,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const channel = (timeoutMs = 2000) =>
  new WebhookChannel({ secretFor: (url) => (url.startsWith('http://127.0.0.1:') ? SECRET : undefined), timeoutMs });

describe('signed webhook delivery', () => {
  it('200: delivered, and the receiver verifies the signature over the exact notice', async () => {
    const r = await receiver(200);
    try {
      const receipt = await channel().deliver(notice, { kind: 'webhook', url: r.url });
      expect(receipt).toMatchObject({ channel: 'webhook', status: 'delivered', detail: 'HTTP 200' });
      expect(r.received).toHaveLength(1);
      expect(r.received[0]!.verified).toBe(true);
      expect(JSON.parse(r.received[0]!.body)).toEqual(notice);
      expect(r.received[0]!.headers['x-mash-notice-id']).toBe(notice.noticeId);
      expect(r.received[0]!.headers['content-type']).toBe('application/json');
    } finally {
      await r.close();
    }
  });

  it('a receiver with another secret rejects it', async () => {
    const r = await receiver(200);
    try {
      await new WebhookChannel({ secretFor: () => 'not-the-shared-secret' }).deliver(notice, { kind: 'webhook', url: r.url });
      expect(r.received[0]!.verified).toBe(false);
    } finally {
      await r.close();
    }
  });

  it('500: failed, worth retrying', async () => {
    const r = await receiver(500);
    try {
      expect(await channel().deliver(notice, { kind: 'webhook', url: r.url })).toMatchObject({
        status: 'failed',
        detail: 'HTTP 500',
        retryable: true,
      });
    } finally {
      await r.close();
    }
  });

  it('400: failed, not worth retrying', async () => {
    const r = await receiver(400);
    try {
      expect(await channel().deliver(notice, { kind: 'webhook', url: r.url })).toMatchObject({
        status: 'failed',
        detail: 'HTTP 400',
        retryable: false,
      });
    } finally {
      await r.close();
    }
  });

  it('receiver down: connection refused is a failed, retryable receipt', async () => {
    const r = await receiver(200);
    await r.close();
    expect(await channel().deliver(notice, { kind: 'webhook', url: r.url })).toMatchObject({
      status: 'failed',
      detail: 'ECONNREFUSED',
      retryable: true,
    });
  });

  it('receiver hangs: fails at the timeout, not later', async () => {
    const r = await receiver('hang');
    try {
      const started = Date.now();
      const receipt = await channel(300).deliver(notice, { kind: 'webhook', url: r.url });
      expect(receipt).toMatchObject({ status: 'failed', detail: 'timeout after 300ms', retryable: true });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await r.close();
    }
  });

  it('no secret or a bad url: failed, permanently, without sending anything', async () => {
    expect(await channel().deliver(notice, { kind: 'webhook', url: 'http://example.invalid/x' })).toMatchObject({
      status: 'failed',
      retryable: false,
      detail: 'no shared secret configured for this receiver',
    });
    expect(await channel().deliver(notice, { kind: 'webhook', url: 'not a url' })).toMatchObject({ status: 'failed', retryable: false });
    expect(await channel().deliver(notice, { kind: 'webhook', url: 'ftp://127.0.0.1:1/x' })).toMatchObject({
      status: 'failed',
      retryable: false,
    });
  });
});
