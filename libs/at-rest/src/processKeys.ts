import { DataKeys, dataKeysFromEnv, isSealed } from './dataKeys';

/**
 * The process's keyring, read from configuration once (dataKeysFromEnv) when first needed: the
 * repositories, the outbox, dead letters and migrations all seal with the same ring. A test or a
 * script that holds its own ring installs it with `useDataKeys` before anything seals.
 */
let ring: DataKeys | undefined;

export function dataKeys(): DataKeys {
  ring ??= dataKeysFromEnv(process.env);
  return ring;
}

export function useDataKeys(keys: DataKeys | undefined): void {
  ring = keys;
}

/** A value for a jsonb column holding sealed content: the sealed JSON text as a JSON string. */
export function sealedJsonb(value: unknown): string {
  return JSON.stringify(dataKeys().sealJson(value));
}

/**
 * A sealed jsonb column's value as stored back into its type. A value that is not a string is what
 * retention left ('{}', '[]') and comes back as it is.
 */
export function openJsonb<T>(stored: unknown): T {
  return (typeof stored === 'string' ? dataKeys().openJson<T>(stored) : stored) as T;
}

/**
 * The object with the value under `key` sealed, for a jsonb column that keeps its other keys plain
 * (a `path` sealed column: a rating stays queryable, its reasons are sealed). Without the key, or
 * with the value already sealed, the object comes back as it is.
 */
export function sealedAt<T extends object>(value: T, key: string): T {
  const v = (value as Record<string, unknown>)[key];
  if (v === undefined || v === null || isSealed(v)) return value;
  return { ...value, [key]: dataKeys().sealJson(v) };
}

/** The object with the value under `key` opened (what sealedAt sealed); a plain value is left as it is. */
export function openedAt<T>(value: T, key: string): T {
  if (!value || typeof value !== 'object') return value;
  const v = (value as Record<string, unknown>)[key];
  return isSealed(v) ? { ...value, [key]: dataKeys().openJson(v) } : value;
}
