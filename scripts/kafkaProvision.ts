import { topicsUnderRetention } from '@mash/contracts';
import { loadPolicyFromEnv } from '@mash/policy';
import {
  credentialsOf,
  defaultPrincipalsFile,
  KafkaPort,
  kafkaCredentialsFromEnv,
  loadKafkaPrincipals,
  messagingConfigFromEnv,
  provisionKafka,
} from '@mash/messaging';

/**
 * `npm run kafka:provision`: creates every topic of the definition file under MASH_TOPIC_PREFIX and
 * grants each principal what libs/contracts/src/acl.ts says, as admin, with every topic's retention
 * under the policy's retention period (topicsUnderRetention). Admin's credential comes
 * from KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD, else from the principals file infra/kafka.sh
 * wrote (MASH_KAFKA_PRINCIPALS, or the one in KAFKA_DATA_DIR).
 */
async function main(): Promise<void> {
  const config = messagingConfigFromEnv('kafka-provision');
  const sasl =
    kafkaCredentialsFromEnv() ?? credentialsOf(loadKafkaPrincipals(process.env.MASH_KAFKA_PRINCIPALS ?? defaultPrincipalsFile()), 'admin');
  const port = new KafkaPort({ ...config, sasl });
  try {
    // Topics keep case content no longer than the locality's policy (MASH_POLICY) allows.
    const r = await provisionKafka(port, topicsUnderRetention(loadPolicyFromEnv().retention.mashRecordMonths));
    process.stdout.write(
      `kafka: ${r.topics} topics and ${r.acls} ACL entries in place (${r.revoked} no longer granted, revoked) for prefix '${config.prefix}' on ${config.brokers.join(',')}\n`,
    );
  } finally {
    await port.close();
  }
}

main().catch((err) => {
  process.stderr.write(`kafka provisioning failed: ${(err as Error).message}\n`);
  process.exit(1);
});
