import { signBody, verifySignature } from './webhookSignature';

const SECRET = 'shared-secret-for-tests';
const BODY = JSON.stringify({ noticeId: 'notice-1', text: 'Decided by Sam Manager' });
const NOW_MS = Date.UTC(2026, 10, 21, 10, 0, 0);
const TS = String(NOW_MS / 1000);

describe('webhook signature', () => {
  const header = signBody(BODY, SECRET, TS);

  it('has the documented shape', () => {
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it('verifies the body it signed, as string or bytes', () => {
    expect(verifySignature(BODY, header, SECRET, TS, 300, NOW_MS)).toBe(true);
    expect(verifySignature(Buffer.from(BODY), header, SECRET, TS, 300, NOW_MS)).toBe(true);
  });

  it('fails when the body is tampered with, even by one character', () => {
    expect(verifySignature(BODY.replace('Sam', 'Pam'), header, SECRET, TS, 300, NOW_MS)).toBe(false);
    expect(verifySignature(BODY + ' ', header, SECRET, TS, 300, NOW_MS)).toBe(false);
  });

  it('fails when the timestamp is changed, so a captured request cannot be replayed later', () => {
    const later = String(Number(TS) + 3600);
    expect(verifySignature(BODY, header, SECRET, later, 300, NOW_MS + 3_600_000)).toBe(false);
  });

  it('fails with another secret, a tampered signature, or a malformed header', () => {
    expect(verifySignature(BODY, header, 'other-secret', TS, 300, NOW_MS)).toBe(false);
    const flipped = header.slice(0, -1) + (header.endsWith('0') ? '1' : '0');
    expect(verifySignature(BODY, flipped, SECRET, TS, 300, NOW_MS)).toBe(false);
    expect(verifySignature(BODY, header.replace('sha256=', 'sha1='), SECRET, TS, 300, NOW_MS)).toBe(false);
    expect(verifySignature(BODY, undefined, SECRET, TS, 300, NOW_MS)).toBe(false);
    expect(verifySignature(BODY, header, SECRET, undefined, 300, NOW_MS)).toBe(false);
    expect(verifySignature(BODY, header, SECRET, 'yesterday', 300, NOW_MS)).toBe(false);
  });

  it('accepts a timestamp inside the tolerance and refuses one outside it, either side', () => {
    expect(verifySignature(BODY, header, SECRET, TS, 300, NOW_MS + 299_000)).toBe(true);
    expect(verifySignature(BODY, header, SECRET, TS, 300, NOW_MS + 301_000)).toBe(false);
    expect(verifySignature(BODY, header, SECRET, TS, 300, NOW_MS - 301_000)).toBe(false);
  });
});
