import { randomBytes } from 'node:crypto';
import { DataKeys, dataKeysFromEnv, isSealed } from './dataKeys';

const k = () => randomBytes(32);

describe('DataKeys', () => {
  const a = k();
  const b = k();
  const lookupKey = k();
  const old = new DataKeys({ keys: { a }, current: 'a', lookupKey });
  const both = new DataKeys({ keys: { a, b }, current: 'b', lookupKey });

  it('seals with the key id beside the value, never the plain text', () => {
    const s = old.seal('Amelia Hartley 943 476 5919 SE1 7PB');
    expect(s).toMatch(/^mash:v1:a:/);
    expect(s).not.toContain('Amelia');
    expect(old.open(s)).toBe('Amelia Hartley 943 476 5919 SE1 7PB');
    expect(old.seal('x')).not.toBe(old.seal('x'));
  });

  it('opens values under an older key after rotation, and reseals them under the current one', () => {
    const s = old.seal('Jayden');
    expect(both.open(s)).toBe('Jayden');
    expect(both.isCurrent(s)).toBe(false);
    const r = both.reseal(s);
    expect(r).toMatch(/^mash:v1:b:/);
    expect(both.open(r)).toBe('Jayden');
    expect(both.reseal(r)).toBe(r);
    const next = both.adding('c', k());
    expect(next.current).toBe('c');
    expect(next.open(s)).toBe('Jayden');
    expect(next.lookup('nhs', '1')).toBe(both.lookup('nhs', '1'));
  });

  it('refuses an altered value, an unknown key and a plain value', () => {
    const s = old.seal('Jayden');
    const last = s.at(-2) === 'A' ? 'B' : 'A';
    expect(() => old.open(s.slice(0, -2) + last + s.at(-1))).toThrow();
    expect(() => old.open(both.seal('x'))).toThrow("sealed under key 'b', which is not in MASH_DATA_KEYS");
    expect(() => old.open('Jayden')).toThrow('not a sealed value');
    expect(isSealed('Jayden')).toBe(false);
  });

  it('gives equal keyed digests for equal values, different ones per purpose and per key', () => {
    expect(old.lookup('nhs', '9434765919')).toBe(both.lookup('nhs', '9434765919'));
    expect(old.lookup('nhs', '9434765919')).not.toBe(old.lookup('upn', '9434765919'));
    expect(new DataKeys({ keys: { a }, current: 'a', lookupKey: k() }).lookup('nhs', '9434765919')).not.toBe(
      old.lookup('nhs', '9434765919'),
    );
    expect(old.lookup('nhs', '9434765919')).not.toContain('9434765919');
  });

  it('names the field and the rule for a bad key', () => {
    expect(() => new DataKeys({ keys: { a: randomBytes(16) }, current: 'a', lookupKey })).toThrow("key 'a' must be 32 bytes");
    expect(() => new DataKeys({ keys: { a }, current: 'z', lookupKey })).toThrow("MASH_DATA_KEY_CURRENT: 'z' is not a key id");
    expect(() => new DataKeys({ keys: { 'a:b': a }, current: 'a:b', lookupKey })).toThrow("key id 'a:b'");
  });
});

describe('dataKeysFromEnv', () => {
  const env = (e: Record<string, string>) => e as NodeJS.ProcessEnv;
  const real = {
    MASH_DATA_KEYS: JSON.stringify({ k2026: k().toString('base64') }),
    MASH_DATA_KEY_CURRENT: 'k2026',
    MASH_LOOKUP_KEY: k().toString('base64'),
  };

  it('uses the demo keys outside production only', () => {
    expect(dataKeysFromEnv(env({})).demo).toBe(true);
    expect(() => dataKeysFromEnv(env({ NODE_ENV: 'production' }))).toThrow('must be set in production mode');
  });

  it('reads a configured ring, in production too', () => {
    const ring = dataKeysFromEnv(env({ ...real, NODE_ENV: 'production' }));
    expect(ring.current).toBe('k2026');
    expect(ring.demo).toBe(false);
  });

  it('refuses the demo keys and a half-given ring', () => {
    expect(() =>
      dataKeysFromEnv(
        env({
          ...real,
          MASH_DATA_KEYS: JSON.stringify({ 'demo-1': k().toString('base64') }),
          MASH_DATA_KEY_CURRENT: 'demo-1',
          NODE_ENV: 'production',
        }),
      ),
    ).toThrow("key 'demo-1' is a demo key");
    expect(() => dataKeysFromEnv(env({ MASH_DATA_KEYS: real.MASH_DATA_KEYS }))).toThrow('MASH_DATA_KEY_CURRENT must be set');
    expect(() => dataKeysFromEnv(env({ ...real, MASH_DATA_KEYS: '[1]' }))).toThrow('MASH_DATA_KEYS: must be a JSON object');
  });
});
