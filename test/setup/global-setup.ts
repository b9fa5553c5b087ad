import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Brings up what integration tests need, once per jest run:
 * KAFKA_BROKERS / DATABASE_URL when given; otherwise the project's own single-node Kafka and the
 * local Postgres (started if it is not running). No Docker engine is assumed.
 */
export default async function globalSetup(): Promise<void> {
  const root = join(__dirname, '..', '..');
  if (!process.env.DATABASE_URL) {
    execFileSync('bash', [join(root, 'infra', 'postgres.sh'), 'start'], { stdio: 'inherit' });
    process.env.DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
  }
  if (!process.env.KAFKA_BROKERS) {
    const script = join(root, 'infra', 'kafka.sh');
    if (!existsSync(script)) throw new Error('infra/kafka.sh is missing and KAFKA_BROKERS is not set');
    execFileSync('bash', [script, 'start'], { stdio: 'inherit' });
    process.env.KAFKA_BROKERS = '127.0.0.1:9092';
  }
}
