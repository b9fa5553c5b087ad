import { RefusalLimiter } from './refusalLimiter';

describe('RefusalLimiter', () => {
  const saved = { rate: process.env.MASH_REFUSAL_RATE_PER_SEC, burst: process.env.MASH_REFUSAL_BURST };
  afterEach(() => {
    for (const [k, v] of [
      ['MASH_REFUSAL_RATE_PER_SEC', saved.rate],
      ['MASH_REFUSAL_BURST', saved.burst],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('lets an address be refused its burst, then answers 429 until its allowance refills; other addresses are not held up', () => {
    process.env.MASH_REFUSAL_RATE_PER_SEC = '1';
    process.env.MASH_REFUSAL_BURST = '3';
    const limiter = new RefusalLimiter();
    expect([0, 0, 0, 0, 0].map(() => limiter.allow('203.0.113.9', 1000))).toEqual([true, true, true, false, false]);
    expect(limiter.allow('198.51.100.7', 1000)).toBe(true);
    expect(limiter.allow('203.0.113.9', 2000)).toBe(true);
    expect(limiter.allow('203.0.113.9', 2000)).toBe(false);
  });

  it('refuses a configuration that would never allow a refusal', () => {
    process.env.MASH_REFUSAL_BURST = '0';
    expect(() => new RefusalLimiter()).toThrow(/MASH_REFUSAL_BURST at least 1/);
  });
});
