import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signed-webhook scheme every notice receiver verifies: HMAC-SHA256 over "<timestamp>.<raw body>"
 * with the agency's shared secret, sent as `X-Mash-Signature: sha256=<hex>` beside
 * `X-Mash-Timestamp` (Unix seconds). Signing the timestamp with the body means a captured request
 * cannot be replayed later with a fresh timestamp; the tolerance window then bounds replays.
 * The notifier (sender) and the adapters (receivers) use this one implementation; it is part of
 * the published contract, so an agency's own receiver can be checked against it.
 */
export const SIGNATURE_HEADER = 'X-Mash-Signature';
export const TIMESTAMP_HEADER = 'X-Mash-Timestamp';
export const NOTICE_ID_HEADER = 'X-Mash-Notice-Id';

function mac(body: string | Buffer, secret: string, timestamp: string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

/** Header value for a body sent at `timestamp` (Unix seconds, as a string). */
export function signBody(body: string | Buffer, secret: string, timestamp: string): string {
  return `sha256=${mac(body, secret, timestamp).toString('hex')}`;
}

/**
 * True only if the signature matches this exact body and timestamp and the timestamp is within
 * `toleranceSec` of now. Pass the raw body bytes as received: re-serialised JSON will not match.
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
