import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { exampleContact } from '@mash/contracts/examples';
import { backoffMs, GatewayClient } from './gatewayClient';

/** A stand-in gateway that answers from a script, one status per request. */
async function fakeGateway(
  script: { status: number; retryAfter?: string }[],
): Promise<{ server: Server; url: string; seen: { auth?: string; path?: string; body: string }[] }> {
  const seen: { auth?: string; path?: string; body: string }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ auth: req.headers.authorization, path: req.url, body });
      const step = script[Math.min(seen.length - 1, script.length - 1)];
      if (step.retryAfter) res.setHeader('Retry-After', step.retryAfter);
      res.writeHead(step.status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          step.status < 300
            ? { contactId: 'CT-1', receivedAt: '2026-11-21T07:00:00Z', status: 'accepted' }
            : { status: step.status, error: 'no', errors: [] },
        ),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const fast = { attempts: 4, baseMs: 1, maxMs: 5 };

describe('gateway client', () => {
  it('retries 5xx and 429 with back-off, then succeeds, sending the same body each time', async () => {
    const g = await fakeGateway([{ status: 503 }, { status: 429, retryAfter: '0' }, { status: 202 }]);
    try {
      const answer = await new GatewayClient({ gatewayUrl: g.url, agency: 'police', token: 'tok-123456789012', retry: fast }).submit(
        exampleContact,
      );
      expect(answer).toMatchObject({ kind: 'accepted', status: 202, attempts: 3, body: { contactId: 'CT-1' } });
      expect(g.seen).toHaveLength(3);
      expect(new Set(g.seen.map((s) => s.body)).size).toBe(1);
      expect(g.seen[0]).toMatchObject({ auth: 'Bearer tok-123456789012', path: '/v1/agencies/police/contacts' });
    } finally {
      g.server.close();
    }
  });

  it('does not retry a 4xx that says the request is wrong', async () => {
    const g = await fakeGateway([{ status: 403 }]);
    try {
      const answer = await new GatewayClient({ gatewayUrl: g.url, agency: 'police', token: 't', retry: fast }).submit(exampleContact);
      expect(answer).toMatchObject({ kind: 'refused', status: 403, attempts: 1 });
    } finally {
      g.server.close();
    }
  });

  it('gives up after the attempts it was given when the gateway stays away', async () => {
    const answer = await new GatewayClient({ gatewayUrl: 'http://127.0.0.1:1', agency: 'police', token: 't', retry: fast }).submit(
      exampleContact,
    );
    expect(answer).toMatchObject({ kind: 'unavailable', attempts: 4 });
  });

  it('backs off exponentially within bounds and honours Retry-After as a floor', () => {
    const r = { attempts: 6, baseMs: 200, maxMs: 5000 };
    expect(backoffMs(1, r, undefined, () => 1)).toBe(200);
    expect(backoffMs(3, r, undefined, () => 1)).toBe(800);
    expect(backoffMs(10, r, undefined, () => 1)).toBe(5000);
    expect(backoffMs(1, r, undefined, () => 0)).toBe(100);
    expect(backoffMs(1, r, 2, () => 0)).toBe(2000);
  });
});
