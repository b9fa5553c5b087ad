/** Where Kafka is and how this process names itself there. Everything has a working local default. */
export interface MessagingConfig {
  brokers: string[];
  clientId: string;
  /**
   * Prepended to every physical topic and consumer group name. Tests set it so that each run owns
   * (and drops) its own topics; production leaves it empty.
   */
  prefix: string;
}

export function messagingConfigFromEnv(clientId: string, env: NodeJS.ProcessEnv = process.env): MessagingConfig {
  return {
    brokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean),
    clientId,
    prefix: env.MASH_TOPIC_PREFIX ?? '',
  };
}
