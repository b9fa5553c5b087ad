import { bearerTokenFromEnv } from './bearerToken';

describe('a bearer token a process checks itself', () => {
  it('allows the configured token only, as a bearer credential', () => {
    const t = bearerTokenFromEnv('X_TOKEN', 'demo-x-token-000000', { X_TOKEN: 'a-long-random-token-0123456789' });
    expect(t.allows('Bearer a-long-random-token-0123456789')).toBe(true);
    expect(t.allows('Bearer a-long-random-token-012345678')).toBe(false);
    expect(t.allows('Basic a-long-random-token-0123456789')).toBe(false);
    expect(t.allows(undefined)).toBe(false);
    expect(t.allows('Bearer demo-x-token-000000')).toBe(false);
  });

  it('falls back to the demo token outside production, and production refuses it by name', () => {
    expect(bearerTokenFromEnv('X_TOKEN', 'demo-x-token-000000', {}).allows('Bearer demo-x-token-000000')).toBe(true);
    expect(() => bearerTokenFromEnv('X_TOKEN', 'demo-x-token-000000', { NODE_ENV: 'production' })).toThrow(
      'X_TOKEN must be set in production mode',
    );
    expect(() => bearerTokenFromEnv('X_TOKEN', 'demo-x-token-000000', { NODE_ENV: 'production', X_TOKEN: 'demo-x-token-111111' })).toThrow(
      /X_TOKEN entry 1 is a demo value/,
    );
    expect(() => bearerTokenFromEnv('X_TOKEN', 'demo-x-token-000000', { X_TOKEN: 'short' })).toThrow(
      'X_TOKEN must be a token of 16 characters or more',
    );
  });
});
