import { DEFAULT_RETRY_POLICY } from '../delivery/retry';
import { dayBefore, digestDay } from '../digest/digestJob';
import { DEMO_WEBHOOK_SECRET_PREFIX, retryPolicyFromEnv, webhookSecretsFromEnv } from './config';

describe('delivery settings from the environment', () => {
  it('keeps the production back-off unless told otherwise, and takes ms-scale values for tests', () => {
    expect(retryPolicyFromEnv({})).toEqual(DEFAULT_RETRY_POLICY);
    expect(
      retryPolicyFromEnv({ MASH_NOTICE_MAX_ATTEMPTS: '3', MASH_NOTICE_BACKOFF_BASE_MS: '50', MASH_NOTICE_BACKOFF_MAX_MS: '200' }),
    ).toEqual({ maxAttempts: 3, baseMs: 50, maxMs: 200 });
  });

  it('refuses a back-off that makes no sense rather than retrying wildly', () => {
    expect(() => retryPolicyFromEnv({ MASH_NOTICE_BACKOFF_BASE_MS: 'soon' })).toThrow(/MASH_NOTICE_BACKOFF_BASE_MS/);
    expect(() => retryPolicyFromEnv({ MASH_NOTICE_BACKOFF_BASE_MS: '500', MASH_NOTICE_BACKOFF_MAX_MS: '100' })).toThrow(/not be below/);
  });

  it('gives each agency its own webhook secret, and none to an agency left out', () => {
    const secretOf = webhookSecretsFromEnv({ MASH_WEBHOOK_SECRETS: 'police=police-secret-0123456789, health=health-secret-0123456789' });
    expect(secretOf('police')).toBe('police-secret-0123456789');
    expect(secretOf('health')).toBe('health-secret-0123456789');
    expect(secretOf('education')).toBeUndefined();
  });

  it('uses demo secrets only when nothing is configured, and refuses short or malformed ones', () => {
    expect(webhookSecretsFromEnv({})('police')).toBe(`${DEMO_WEBHOOK_SECRET_PREFIX}police`);
    expect(() => webhookSecretsFromEnv({ MASH_WEBHOOK_SECRETS: 'police=short' })).toThrow(/shorter than 16/);
    expect(() => webhookSecretsFromEnv({ MASH_WEBHOOK_SECRETS: 'police' })).toThrow(/agency=secret/);
  });
});

describe('the digest day', () => {
  it('is the previous calendar day, across month ends and clock changes', () => {
    expect(dayBefore('2026-03-01')).toBe('2026-02-28');
    expect(dayBefore('2026-03-30')).toBe('2026-03-29'); // BST starts on 29 March 2026
    expect(dayBefore('2026-10-26')).toBe('2026-10-25'); // and ends on 25 October
    expect(dayBefore('2026-01-01', 0)).toBe('2026-01-01');
  });

  it("digests yesterday only once it has been over for the grace period (a notice's transaction may commit just after midnight)", () => {
    // 00:02 London on 24 November (GMT): yesterday is not settled yet, so the day before it is the one due.
    expect(digestDay(new Date('2026-11-24T00:02:00Z'), 1)).toBe('2026-11-22');
    expect(digestDay(new Date('2026-11-24T00:06:00Z'), 1)).toBe('2026-11-23');
    // In summer time London midnight is 23:00 UTC.
    expect(digestDay(new Date('2026-07-01T23:04:00Z'), 1)).toBe('2026-06-30');
    expect(digestDay(new Date('2026-07-01T23:05:00Z'), 1)).toBe('2026-07-01');
    // Lag 0 digests the day as it goes.
    expect(digestDay(new Date('2026-11-24T00:02:00Z'), 0)).toBe('2026-11-24');
  });
});
