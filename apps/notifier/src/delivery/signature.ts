import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Mash-Signature';
export const TIMESTAMP_HEADER = 'X-Mash-Timestamp';
export const NOTICE_ID_HEADER = 'X-Mash-Notice-Id';

/*
 * The HMAC covers "<timestamp>.<body>", not the body alone: signing only the body would let anyone
 * who captured one request replay it for ever with a fresh X-Mash-Timestamp, and the tolerance
 * window would protect nothing. (The same scheme as Stripe's and Slack's webhooks.)
 */
function mac(body: string | Buffer, secret: string, timestamp: string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

/** Header value for a body sent at `timestamp` (Unix seconds, as a string). */
export function signBody(body: string | Buffer, secret: string, timestamp: string): string {
  return `sha256=${mac(body, secret, timestamp).toString('hex')}`;
}

/**
 * For receivers (agency adapters): true only if the signature matches this exact body and
 * timestamp and the timestamp is within `toleranceSec` of now. Pass the raw body bytes as
 * received, before any JSON parsing; re-serialised JSON will not match.
 */
export function verifySignature(
  body: string | Buffer,
  header: string | undefined,
  secret: string,
  timestamp: string | undefined,
  toleranceSec = 300,
  nowMs: number = Date.now(),
): boolean {
  if (!header || !timestamp || !secret || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSec) return false;
  const m = /^sha256=([0-9a-f]{64})$/.exec(header.trim());
  if (!m) return false;
  // Constant-time: a byte-by-byte compare leaks how much of a forged signature was right.
  return timingSafeEqual(Buffer.from(m[1]!, 'hex'), mac(body, secret, timestamp));
}
