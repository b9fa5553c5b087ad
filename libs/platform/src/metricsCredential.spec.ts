import { createHash } from 'node:crypto';
import { DEMO_METRICS_TOKEN, MetricsCredential } from './metricsCredential';

const sha = (t: string) => createHash('sha256').update(t).digest('hex');

describe('the metrics credential', () => {
  it('outside production, with no hash configured, takes only the demo token', () => {
    const c = MetricsCredential.fromEnv({});
    expect(c.allows(`Bearer ${DEMO_METRICS_TOKEN}`)).toBe(true);
    expect(c.allows('Bearer something-else')).toBe(false);
    expect(c.allows(undefined)).toBe(false);
    expect(c.allows(DEMO_METRICS_TOKEN)).toBe(false);
  });

  it('takes the token whose SHA-256 is configured, and no other', () => {
    const c = MetricsCredential.fromEnv({ MASH_METRICS_TOKEN_SHA256: sha('ops-scraper-token-7f3a9c') });
    expect(c.allows('Bearer ops-scraper-token-7f3a9c')).toBe(true);
    expect(c.allows(`Bearer ${DEMO_METRICS_TOKEN}`)).toBe(false);
  });

  it('refuses a hash that is not 64 hex digits, naming the variable', () => {
    expect(() => MetricsCredential.fromEnv({ MASH_METRICS_TOKEN_SHA256: 'ops-scraper-token' })).toThrow(
      /MASH_METRICS_TOKEN_SHA256 must be the SHA-256/,
    );
  });

  it('production mode refuses to start with no hash, or with the demo token', () => {
    expect(() => MetricsCredential.fromEnv({ NODE_ENV: 'production' })).toThrow(/MASH_METRICS_TOKEN_SHA256 must be set in production mode/);
    expect(() => MetricsCredential.fromEnv({ NODE_ENV: 'production', MASH_METRICS_TOKEN_SHA256: sha(DEMO_METRICS_TOKEN) })).toThrow(
      /demo metrics token/,
    );
    expect(
      MetricsCredential.fromEnv({ NODE_ENV: 'production', MASH_METRICS_TOKEN_SHA256: sha('ops-scraper-token-7f3a9c') }).allows(
        'Bearer ops-scraper-token-7f3a9c',
      ),
    ).toBe(true);
  });
});
