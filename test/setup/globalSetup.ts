import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { credentialsEnv, defaultPrincipalsFile, loadKafkaPrincipals } from '../../libs/messaging/src/principals';
import { dockerAvailable, startContainers } from './containers';

/**
 * A broker with authentication: tests and the tools they run act as admin (the provisioning step,
 * publishers, watchers, clean-up), and the test hub hands each process its own principal from the
 * same file (MASH_KAFKA_PRINCIPALS).
 */
function useKafkaPrincipals(file: string): void {
  const principals = loadKafkaPrincipals(file);
  process.env.MASH_KAFKA_PRINCIPALS = file;
  if (!process.env.KAFKA_SASL_USERNAME) Object.assign(process.env, credentialsEnv(principals, 'admin'));
}

/**
 * Brings up what integration tests need, once per jest run, in this order of preference:
 * 1. KAFKA_BROKERS / DATABASE_URL when given;
 * 2. testcontainers when a Docker engine is available;
 * 3. the project's own single-node Kafka (infra/kafka.sh, official jars via Maven Central) and the
 *    local Postgres, started if not running.
 */
export default async function globalSetup(): Promise<void> {
  const root = join(__dirname, '..', '..');
  if (process.env.KAFKA_BROKERS && process.env.DATABASE_URL) {
    if (process.env.MASH_KAFKA_PRINCIPALS) useKafkaPrincipals(process.env.MASH_KAFKA_PRINCIPALS);
    return;
  }
  if (dockerAvailable()) {
    const c = await startContainers();
    (globalThis as { __mashContainers?: typeof c }).__mashContainers = c;
    process.env.KAFKA_BROKERS ??= c.brokers;
    process.env.DATABASE_URL ??= c.databaseUrl;
    return;
  }
  if (!process.env.DATABASE_URL) {
    execFileSync('bash', [join(root, 'infra', 'postgres.sh'), 'start'], { stdio: 'inherit' });
    process.env.DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
  }
  if (!process.env.KAFKA_BROKERS) {
    execFileSync('bash', [join(root, 'infra', 'kafka.sh'), 'start'], { stdio: 'inherit' });
    process.env.KAFKA_BROKERS = `127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`;
    // kafka.sh formats a new data dir with users unless KAFKA_AUTH=none; a broker it found
    // already running on an older, open data dir has no principals file.
    const file = process.env.MASH_KAFKA_PRINCIPALS ?? defaultPrincipalsFile();
    if (process.env.KAFKA_AUTH !== 'none' && existsSync(file)) useKafkaPrincipals(file);
  } else if (process.env.MASH_KAFKA_PRINCIPALS) {
    useKafkaPrincipals(process.env.MASH_KAFKA_PRINCIPALS);
  }
}
