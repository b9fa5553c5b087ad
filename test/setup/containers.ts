import { execFileSync } from 'node:child_process';
import { GenericContainer, StartedTestContainer, Wait } from 'testcontainers';
import { freePort } from '../support/ports';

/** True when a Docker engine answers (the client alone is not enough). */
export function dockerAvailable(): boolean {
  if (process.env.MASH_NO_TESTCONTAINERS) return false;
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * Kafka (the same apache/kafka image and KRaft settings as infra/docker-compose.yml) and Postgres 15
 * in containers, for machines with Docker and no KAFKA_BROKERS / DATABASE_URL given. Kafka's
 * advertised listener must name the host port, so the port is chosen before the container starts.
 */
export async function startContainers(): Promise<{ brokers: string; databaseUrl: string; stop: () => Promise<void> }> {
  const kafkaPort = await freePort();
  const kafka: StartedTestContainer = await new GenericContainer('apache/kafka:4.3.1')
    .withExposedPorts({ container: 9092, host: kafkaPort })
    .withEnvironment({
      CLUSTER_ID: 'bWFzaC1odWItdGVzdC0x',
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:29093',
      KAFKA_LISTENERS: 'CONTROLLER://:29093,HOST://:9092',
      KAFKA_ADVERTISED_LISTENERS: `HOST://127.0.0.1:${kafkaPort}`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,HOST:PLAINTEXT',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'HOST',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  const pgPort = await freePort();
  const pg = await new GenericContainer('postgres:15')
    .withExposedPorts({ container: 5432, host: pgPort })
    .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  return {
    brokers: `127.0.0.1:${kafkaPort}`,
    databaseUrl: `postgres://postgres@127.0.0.1:${pgPort}/postgres`,
    stop: async () => {
      await Promise.allSettled([kafka.stop(), pg.stop()]);
    },
  };
}
