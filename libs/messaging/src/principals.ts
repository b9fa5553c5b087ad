import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KafkaCredentials } from './config';

/**
 * The passwords infra/kafka.sh generated for the broker's SCRAM users, one per deployable, read by
 * whatever starts the hub's processes (npm start, the test hub) to hand each its own credential.
 */
export interface KafkaPrincipals {
  file: string;
  passwords: Map<string, string>;
}

/** Where infra/kafka.sh keeps the principals of a data dir (KAFKA_DATA_DIR, as the script reads it). */
export function defaultPrincipalsFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.KAFKA_DATA_DIR ?? join(homedir(), '.cache', 'mash-kafka', 'data'), 'principals.json');
}

export function loadKafkaPrincipals(file: string): KafkaPrincipals {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`MASH_KAFKA_PRINCIPALS: cannot read ${file} as JSON (${(err as Error).message})`);
  }
  const principals = (parsed as { principals?: Record<string, unknown> }).principals;
  if (!principals || typeof principals !== 'object') throw new Error(`MASH_KAFKA_PRINCIPALS: ${file} has no "principals" object`);
  const passwords = new Map<string, string>();
  for (const [name, pw] of Object.entries(principals)) {
    if (typeof pw !== 'string' || pw.length < 16)
      throw new Error(`MASH_KAFKA_PRINCIPALS: principals.${name} in ${file} must be a password of 16 characters or more`);
    passwords.set(name, pw);
  }
  // Passwords for every service on the machine: a file others can read is a leak to report, not to use.
  if ((statSync(file).mode & 0o077) !== 0) throw new Error(`MASH_KAFKA_PRINCIPALS: ${file} is readable by others; chmod 600 it`);
  return { file, passwords };
}

export function credentialsOf(principals: KafkaPrincipals, name: string): KafkaCredentials {
  const password = principals.passwords.get(name);
  if (!password)
    throw new Error(`no Kafka principal '${name}' in ${principals.file} (is the broker older than this principal? infra/kafka.sh reset)`);
  return { mechanism: 'scram-sha-512', username: name, password };
}

/** The environment that makes a child process authenticate as `name`. */
export function credentialsEnv(principals: KafkaPrincipals, name: string): Record<string, string> {
  const c = credentialsOf(principals, name);
  return { KAFKA_SASL_USERNAME: c.username, KAFKA_SASL_PASSWORD: c.password };
}
