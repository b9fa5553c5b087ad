import { messagingConfigFromEnv } from './config';

describe('messaging configuration from the environment', () => {
  it('leaves the replication factor to the broker when MASH_TOPIC_REPLICATION is unset or empty', () => {
    expect(messagingConfigFromEnv('svc', {}).replicationFactor).toBeUndefined();
    expect(messagingConfigFromEnv('svc', { MASH_TOPIC_REPLICATION: ' ' }).replicationFactor).toBeUndefined();
  });

  it('takes a whole number of replicas from MASH_TOPIC_REPLICATION', () => {
    expect(messagingConfigFromEnv('svc', { MASH_TOPIC_REPLICATION: '3' })).toEqual({
      brokers: ['127.0.0.1:9092'],
      clientId: 'svc',
      prefix: '',
      replicationFactor: 3,
    });
  });

  it.each(['0', '-1', '2.5', 'three'])('refuses MASH_TOPIC_REPLICATION=%s, naming the variable and the rule', (raw) => {
    expect(() => messagingConfigFromEnv('svc', { MASH_TOPIC_REPLICATION: raw })).toThrow(
      `MASH_TOPIC_REPLICATION must be a whole number of replicas, 1 or more (got '${raw}')`,
    );
  });
});

describe('messaging config from the environment', () => {
  it('local runs: brokers only, no TLS, no SASL', () => {
    expect(messagingConfigFromEnv('gateway', { KAFKA_BROKERS: 'a:9092, b:9092' })).toEqual({
      brokers: ['a:9092', 'b:9092'],
      clientId: 'gateway',
      prefix: '',
    });
  });

  it("a cluster: TLS with the cluster CA read from its file, and the service's SCRAM principal", () => {
    const read = (path: string) => (path === '/etc/kafka-ca/ca.crt' ? 'CA PEM' : 'wrong file');
    expect(
      messagingConfigFromEnv(
        'triage',
        {
          KAFKA_BROKERS: 'mash-kafka-kafka-bootstrap:9093',
          KAFKA_TLS: 'true',
          KAFKA_TLS_CA_FILE: '/etc/kafka-ca/ca.crt',
          KAFKA_SASL_MECHANISM: 'scram-sha-512',
          KAFKA_SASL_USERNAME: 'triage',
          KAFKA_SASL_PASSWORD: 's3cret',
        },
        read,
      ),
    ).toMatchObject({ ssl: { ca: ['CA PEM'] }, sasl: { mechanism: 'scram-sha-512', username: 'triage', password: 's3cret' } });
  });

  it('refuses a credential without TLS in production, an unknown mechanism, or half a credential, naming the variable', () => {
    expect(() =>
      messagingConfigFromEnv('x', {
        NODE_ENV: 'production',
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
      }),
    ).toThrow(/needs KAFKA_TLS=true in production/);
    expect(() => messagingConfigFromEnv('x', { NODE_ENV: 'production', KAFKA_TLS: 'true' })).toThrow(
      /KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD must be set in production/,
    );
    // The local broker is on the loopback interface: SCRAM without TLS is how npm start and the tests run.
    expect(messagingConfigFromEnv('x', { KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }).sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'u',
      password: 'p',
    });
    expect(() =>
      messagingConfigFromEnv('x', { KAFKA_TLS: 'true', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }),
    ).toThrow(/KAFKA_SASL_MECHANISM must be scram-sha-256 or scram-sha-512, not 'plain'/);
    expect(() =>
      messagingConfigFromEnv('x', { KAFKA_TLS: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u' }),
    ).toThrow(/KAFKA_SASL_PASSWORD: required/);
    expect(() => messagingConfigFromEnv('x', { KAFKA_TLS: 'true', KAFKA_SASL_MECHANISM: 'scram-sha-512' })).toThrow(
      /needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/,
    );
  });
});
