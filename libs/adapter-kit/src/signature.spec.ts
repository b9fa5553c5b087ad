import { signBody, verifySignature } from './signature';

describe('webhook signature (receiver side)', () => {
  const SECRET = 'mash-demo-webhook-secret-health';
  const BODY = '{"noticeId":"N-1","text":"Decided by Sam Patel"}';
  const TS = '1795000000';
  const NOW = Number(TS) * 1000;
  const header = signBody(BODY, SECRET, TS);

  it('accepts the exact body and timestamp it was signed with', () => {
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature(BODY, header, SECRET, TS, 300, NOW)).toBe(true);
    expect(verifySignature(Buffer.from(BODY), header, SECRET, TS, 300, NOW)).toBe(true);
  });

  it('refuses a changed body, another secret, another timestamp or a malformed header', () => {
    expect(verifySignature(BODY.replace('Sam', 'Pam'), header, SECRET, TS, 300, NOW)).toBe(false);
    expect(verifySignature(BODY, header, 'another-secret-entirely', TS, 300, NOW)).toBe(false);
    expect(verifySignature(BODY, header, SECRET, String(Number(TS) + 1), 300, NOW)).toBe(false);
    expect(verifySignature(BODY, header.replace('sha256=', 'sha1='), SECRET, TS, 300, NOW)).toBe(false);
    expect(verifySignature(BODY, undefined, SECRET, TS, 300, NOW)).toBe(false);
    expect(verifySignature(BODY, header, SECRET, 'yesterday', 300, NOW)).toBe(false);
  });

  it('refuses a timestamp outside the tolerance (a replay)', () => {
    expect(verifySignature(BODY, header, SECRET, TS, 300, NOW + 299_000)).toBe(true);
    expect(verifySignature(BODY, header, SECRET, TS, 300, NOW + 301_000)).toBe(false);
    expect(verifySignature(BODY, header, SECRET, TS, 300, NOW - 301_000)).toBe(false);
  });
});
