import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * Encryption at rest of case content (docs/architecture.md, "Encryption at rest"): AES-256-GCM
 * with a fresh 96-bit nonce per value, the key id written beside the ciphertext so that values
 * sealed under an older key keep opening while `npm run keys:rotate` moves them to the current one.
 * Exact-match lookups (NHS number, UPN, police person id, blocking and address keys) store an
 * HMAC-SHA-256 under a key of its own instead: equal inputs give equal digests, and the digest
 * says nothing without that key.
 */

/** Every sealed value starts with this, then `<key id>:<base64url(nonce | ciphertext | tag)>`. */
export const SEALED_PREFIX = 'mash:v1:';

const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface DataKeyConfig {
  /** Key id -> 32-byte key. */
  keys: Record<string, Buffer>;
  /** The id new values are sealed under. */
  current: string;
  /** The HMAC key for lookups (32 bytes or more). */
  lookupKey: Buffer;
  /** True when these are the built-in demo keys (production refuses them). */
  demo?: boolean;
}

export class DataKeys {
  readonly current: string;
  readonly demo: boolean;
  private readonly keys: Map<string, Buffer>;
  private readonly lookupKey: Buffer;

  constructor(config: DataKeyConfig) {
    this.keys = new Map();
    for (const [id, key] of Object.entries(config.keys)) {
      if (!KEY_ID.test(id)) throw new Error(`MASH_DATA_KEYS: key id '${id}' must be 1-64 letters, digits, '-' or '_'`);
      if (key.length !== 32) throw new Error(`MASH_DATA_KEYS: key '${id}' must be 32 bytes (base64 of 32 random bytes), not ${key.length}`);
      this.keys.set(id, key);
    }
    if (!this.keys.has(config.current)) throw new Error(`MASH_DATA_KEY_CURRENT: '${config.current}' is not a key id in MASH_DATA_KEYS`);
    if (config.lookupKey.length < 32) throw new Error(`MASH_LOOKUP_KEY must be at least 32 bytes (base64), not ${config.lookupKey.length}`);
    this.current = config.current;
    this.lookupKey = config.lookupKey;
    this.demo = config.demo === true;
  }

  /** This ring with one more key, made current (the first step of a rotation); lookups are unchanged. */
  adding(id: string, key: Buffer): DataKeys {
    return new DataKeys({ keys: { ...Object.fromEntries(this.keys), [id]: key }, current: id, lookupKey: this.lookupKey });
  }

  /** The key ids this ring can open. */
  get ids(): string[] {
    return [...this.keys.keys()];
  }

  seal(plain: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.current)!, nonce);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${SEALED_PREFIX}${this.current}:${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  /** Opens a sealed value; a value that is not sealed, under an unknown key or altered is an error. */
  open(sealed: string): string {
    const parts = isSealed(sealed) ? sealed.slice(SEALED_PREFIX.length).split(':') : [];
    if (parts.length !== 2) throw new Error('not a sealed value');
    const key = this.keys.get(parts[0]);
    if (!key) throw new Error(`sealed under key '${parts[0]}', which is not in MASH_DATA_KEYS`);
    const raw = Buffer.from(parts[1], 'base64url');
    if (raw.length < 28) throw new Error('sealed value is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
  }

  /** Whether the value is sealed under the current key (rotation leaves it alone). */
  isCurrent(value: string): boolean {
    return value.startsWith(`${SEALED_PREFIX}${this.current}:`);
  }

  /** Re-seals under the current key; a value already there is returned as it is. */
  reseal(sealed: string): string {
    return this.isCurrent(sealed) ? sealed : this.seal(this.open(sealed));
  }

  sealJson(value: unknown): string {
    return this.seal(JSON.stringify(value));
  }

  openJson<T>(sealed: string): T {
    return JSON.parse(this.open(sealed)) as T;
  }

  /** The keyed digest for exact-match lookups (hex). `purpose` keeps digests of different kinds apart. */
  lookup(purpose: string, value: string): string {
    return createHmac('sha256', this.lookupKey).update(purpose).update('\0').update(value).digest('hex');
  }
}

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SEALED_PREFIX);
}

const demoKey = (label: string) => createHash('sha256').update(`mash demo ${label} (never for real data)`).digest();

/** The demo keyring: fixed, so every demo process reads what the others wrote. Production refuses it. */
export const DEMO_DATA_KEY_ID = 'demo-1';
export function demoDataKeys(): DataKeys {
  return new DataKeys({
    keys: { [DEMO_DATA_KEY_ID]: demoKey('data key 1') },
    current: DEMO_DATA_KEY_ID,
    lookupKey: demoKey('lookup key'),
    demo: true,
  });
}

function decodeKey(variable: string, value: unknown): Buffer {
  if (typeof value !== 'string' || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(value.trim())) throw new Error(`${variable}: must be base64`);
  return Buffer.from(value.trim(), value.includes('-') || value.includes('_') ? 'base64url' : 'base64');
}

/**
 * The keyring from configuration: MASH_DATA_KEYS (JSON object of key id -> base64 32-byte key),
 * MASH_DATA_KEY_CURRENT (the id new values use) and MASH_LOOKUP_KEY (base64, the HMAC key). With
 * none set, the demo keyring (NODE_ENV=production refuses that, and any key the demo ring holds).
 * A half-given ring is an error in any mode, never a silent fall back to the demo keys.
 */
export function dataKeysFromEnv(env: NodeJS.ProcessEnv = process.env): DataKeys {
  const production = env.NODE_ENV === 'production';
  const given = ['MASH_DATA_KEYS', 'MASH_DATA_KEY_CURRENT', 'MASH_LOOKUP_KEY'].filter((v) => (env[v] ?? '').trim() !== '');
  if (given.length === 0) {
    if (production)
      throw new Error(
        'MASH_DATA_KEYS, MASH_DATA_KEY_CURRENT and MASH_LOOKUP_KEY must be set in production mode: the demo keys are refused',
      );
    return demoDataKeys();
  }
  for (const v of ['MASH_DATA_KEYS', 'MASH_DATA_KEY_CURRENT', 'MASH_LOOKUP_KEY']) {
    if (!given.includes(v)) throw new Error(`${v} must be set when ${given.join(', ')} ${given.length > 1 ? 'are' : 'is'}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(env.MASH_DATA_KEYS!);
  } catch {
    throw new Error('MASH_DATA_KEYS: must be a JSON object of key id -> base64 key');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error('MASH_DATA_KEYS: must be a JSON object of key id -> base64 key');
  const keys: Record<string, Buffer> = {};
  for (const [id, v] of Object.entries(parsed)) keys[id] = decodeKey(`MASH_DATA_KEYS key '${id}'`, v);
  const ring = new DataKeys({
    keys,
    current: env.MASH_DATA_KEY_CURRENT!.trim(),
    lookupKey: decodeKey('MASH_LOOKUP_KEY', env.MASH_LOOKUP_KEY),
  });
  if (production) refuseDemoKeys(keys, decodeKey('MASH_LOOKUP_KEY', env.MASH_LOOKUP_KEY));
  return ring;
}

function refuseDemoKeys(keys: Record<string, Buffer>, lookupKey: Buffer): void {
  const demo = [demoKey('data key 1'), demoKey('lookup key')];
  for (const [id, key] of Object.entries(keys)) {
    if (/^demo|^test/i.test(id) || demo.some((d) => d.equals(key)))
      throw new Error(`MASH_DATA_KEYS key '${id}' is a demo key: production mode needs keys of its own`);
  }
  if (demo.some((d) => d.equals(lookupKey))) throw new Error('MASH_LOOKUP_KEY is the demo key: production mode needs a key of its own');
}
