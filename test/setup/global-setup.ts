import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { dockerAvailable, startContainers } from './containers';

/**
 * Brings up what integration tests need, once per jest run, in this order of preference:
 * 1. KAFKA_BROKERS / DATABASE_URL when given;
 * 2. testcontainers when a Docker engine is available;
 * 3. the project's own single-node Kafka (infra/kafka.sh, official jars via Maven Central) and the
 *    local Postgres, started if not running.
 */
export default async function globalSetup(): Promise<void> {
  const root = join(__dirname, '..', '..');
  if (process.env.KAFKA_BROKERS && process.env.DATABASE_URL) return;
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
  }
}
