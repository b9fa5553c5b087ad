import { readFileSync } from 'node:fs';

/** Where Kafka is and how this process names itself there. Everything has a working local default. */
export interface MessagingConfig {
  brokers: string[];
  clientId: string;
  /**
   * Prepended to every physical topic and consumer group name. Tests set it so that each run owns
   * (and drops) its own topics; production leaves it empty.
   */
  prefix: string;
  /**
   * Replicas of each topic the services create; unset means the broker's default.replication.factor
   * (1 on the single local broker, 3 on the local three-broker cluster).
   */
  replicationFactor?: number;
  /** TLS to the brokers, with the cluster's CA (a cluster's own CA is not in Node's trust store). */
  ssl?: { ca?: string[] };
  /**
   * This process's own Kafka principal. Left out, the port takes it from the environment
   * (KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD): a process has one identity, whoever builds its config.
   */
  sasl?: KafkaCredentials;
}

export type KafkaCredentials =
  { mechanism: 'scram-sha-256'; username: string; password: string } | { mechanism: 'scram-sha-512'; username: string; password: string };

/**
 * The SCRAM credentials in the environment (KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD, mechanism
 * KAFKA_SASL_MECHANISM, SCRAM-SHA-512 unless it says SHA-256), or undefined for an open broker.
 * Half a credential is a configuration error, not a reason to connect anonymously.
 */
export function kafkaCredentialsFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaCredentials | undefined {
  const username = env.KAFKA_SASL_USERNAME?.trim();
  const password = env.KAFKA_SASL_PASSWORD;
  const mechanism = env.KAFKA_SASL_MECHANISM ?? 'scram-sha-512';
  if (mechanism !== 'scram-sha-256' && mechanism !== 'scram-sha-512')
    throw new Error(`KAFKA_SASL_MECHANISM must be scram-sha-256 or scram-sha-512, not '${mechanism}'`);
  if (!username && !password) {
    if (env.KAFKA_SASL_MECHANISM) throw new Error('KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
    return undefined;
  }
  if (!username) throw new Error('KAFKA_SASL_USERNAME: required when KAFKA_SASL_PASSWORD is set');
  if (!password) throw new Error(`KAFKA_SASL_PASSWORD: required when KAFKA_SASL_USERNAME is set (principal ${username})`);
  return { mechanism, username, password } as KafkaCredentials;
}

/**
 * From the environment. Local runs set KAFKA_BROKERS and the process's SCRAM principal (the local
 * broker is on the loopback interface); a cluster (infra/k8s) adds KAFKA_TLS with KAFKA_TLS_CA_FILE.
 * In production a credential is never sent without TLS: the records it unlocks would travel in clear.
 */
export function messagingConfigFromEnv(
  clientId: string,
  env: NodeJS.ProcessEnv = process.env,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): MessagingConfig {
  const config: MessagingConfig = {
    brokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092')
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
    clientId,
    prefix: env.MASH_TOPIC_PREFIX ?? '',
    ...replicationFromEnv(env.MASH_TOPIC_REPLICATION),
  };
  if (env.KAFKA_TLS === 'true') config.ssl = env.KAFKA_TLS_CA_FILE ? { ca: [readFile(env.KAFKA_TLS_CA_FILE)] } : {};
  const sasl = kafkaCredentialsFromEnv(env);
  // Safe by default: a production process never talks to an open broker.
  if (!sasl && env.NODE_ENV === 'production')
    throw new Error('KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD must be set in production: every process has its own Kafka principal');
  if (sasl) {
    if (!config.ssl && env.NODE_ENV === 'production')
      throw new Error('KAFKA_SASL_USERNAME needs KAFKA_TLS=true in production: the records a credential unlocks must not travel in clear');
    config.sasl = sasl;
  }
  return config;
}

function replicationFromEnv(raw: string | undefined): Pick<MessagingConfig, 'replicationFactor'> {
  if (raw === undefined || raw.trim() === '') return {};
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`MASH_TOPIC_REPLICATION must be a whole number of replicas, 1 or more (got '${raw}')`);
  return { replicationFactor: n };
}
