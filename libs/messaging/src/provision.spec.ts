import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AclOperationTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';
import { checkRepliedTopic, checkRequestedTopic, KAFKA_GRANTS } from '@mash/contracts';
import { kafkaCredentialsFromEnv, messagingConfigFromEnv } from './config';
import { credentialsEnv, loadKafkaPrincipals } from './principals';
import { aclEntries, ownedResource } from './provision';

describe('ACL entries for a prefix', () => {
  const entries = aclEntries('run1.');
  const of = (principal: string) => entries.filter((e) => e.principal === `User:${principal}`);

  it('names the prefixed topics and groups literally, so a grant covers exactly one resource', () => {
    const police = of('connector-police');
    expect(police).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          resourceType: AclResourceTypes.TOPIC,
          resourceName: `run1.${checkRequestedTopic('police')}`,
          resourcePatternType: ResourcePatternTypes.LITERAL,
          operation: AclOperationTypes.READ,
        }),
        expect.objectContaining({
          resourceType: AclResourceTypes.TOPIC,
          resourceName: `run1.${checkRepliedTopic('police')}`,
          resourcePatternType: ResourcePatternTypes.LITERAL,
          operation: AclOperationTypes.WRITE,
        }),
        expect.objectContaining({
          resourceType: AclResourceTypes.GROUP,
          resourceName: 'run1.connector-police',
          resourcePatternType: ResourcePatternTypes.LITERAL,
          operation: AclOperationTypes.READ,
        }),
      ]),
    );
    expect(police).toHaveLength(4); // read requests, write replies, write dead letters, its group
    expect(police.every((e) => e.resourceName.startsWith('run1.') && e.host === '*')).toBe(true);
    expect(police.some((e) => e.resourceName.includes('education'))).toBe(false);
  });

  it('uses a PREFIXED group only where a grant asks for one, under the run prefix', () => {
    const prefixed = entries.filter((e) => e.resourcePatternType === ResourcePatternTypes.PREFIXED);
    expect(prefixed.map((e) => `${e.principal} ${e.resourceName}`).sort()).toEqual(
      [
        'User:ops run1.ops-replay-',
        'User:adapter-police run1.adapter-police',
        'User:adapter-health run1.adapter-health',
        'User:adapter-education run1.adapter-education',
        'User:adapter-contact-centre run1.adapter-contact-centre',
      ].sort(),
    );
    expect(prefixed.every((e) => e.resourceType === AclResourceTypes.GROUP)).toBe(true);
  });

  it('has one entry per granted right and nothing for admin (a super user)', () => {
    const expected = KAFKA_GRANTS.reduce(
      (n, g) => n + g.read.length + g.write.length + g.describe.length + g.groups.length + g.groupPrefixes.length + g.describeGroups.length,
      0,
    );
    expect(entries).toHaveLength(expected);
    expect(of('admin')).toEqual([]);
  });
});

describe('Kafka credentials from the environment', () => {
  it('is an open broker when neither is set, SCRAM-SHA-512 when both are', () => {
    expect(kafkaCredentialsFromEnv({})).toBeUndefined();
    expect(messagingConfigFromEnv('x', {}).sasl).toBeUndefined();
    expect(messagingConfigFromEnv('x', { KAFKA_SASL_USERNAME: 'triage', KAFKA_SASL_PASSWORD: 'p'.repeat(20) }).sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'triage',
      password: 'p'.repeat(20),
    });
  });

  it('refuses half a credential, naming the missing variable', () => {
    expect(() => kafkaCredentialsFromEnv({ KAFKA_SASL_USERNAME: 'triage' })).toThrow(/^KAFKA_SASL_PASSWORD: required/);
    expect(() => kafkaCredentialsFromEnv({ KAFKA_SASL_PASSWORD: 'secret' })).toThrow(/^KAFKA_SASL_USERNAME: required/);
  });

  it('reads the principals file, and refuses one others can read or with a short password', () => {
    const dir = mkdtempSync(join(tmpdir(), 'principals-'));
    const file = join(dir, 'principals.json');
    writeFileSync(file, JSON.stringify({ mechanism: 'scram-sha-512', principals: { admin: 'a'.repeat(48), triage: 't'.repeat(48) } }));
    chmodSync(file, 0o600);
    expect(credentialsEnv(loadKafkaPrincipals(file), 'triage')).toEqual({
      KAFKA_SASL_USERNAME: 'triage',
      KAFKA_SASL_PASSWORD: 't'.repeat(48),
    });
    expect(() => credentialsEnv(loadKafkaPrincipals(file), 'checks')).toThrow(/no Kafka principal 'checks'/);
    chmodSync(file, 0o644);
    expect(() => loadKafkaPrincipals(file)).toThrow(/readable by others/);
    writeFileSync(file, JSON.stringify({ principals: { admin: 'short' } }));
    chmodSync(file, 0o600);
    expect(() => loadKafkaPrincipals(file)).toThrow(/principals\.admin .* 16 characters/);
  });
});

describe('which broker resources provisioning may revoke under a prefix', () => {
  it("takes the prefix's hub topics and consumer groups, never another run's or the broker's own", () => {
    expect(ownedResource('run1.', AclResourceTypes.TOPIC, 'run1.mash.case.rated.v1')).toBe(true);
    expect(ownedResource('run1.', AclResourceTypes.GROUP, 'run1.connector-police')).toBe(true);
    expect(ownedResource('run1.', AclResourceTypes.GROUP, 'run1.ops-replay-')).toBe(true);
    expect(ownedResource('run1.', AclResourceTypes.TOPIC, 'run2.mash.case.rated.v1')).toBe(false);
    // The empty prefix of npm start: a test run's resources beside it are not its own.
    expect(ownedResource('', AclResourceTypes.TOPIC, 'mash.case.rated.v1')).toBe(true);
    expect(ownedResource('', AclResourceTypes.GROUP, 'gateway')).toBe(true);
    expect(ownedResource('', AclResourceTypes.TOPIC, 'run1.mash.case.rated.v1')).toBe(false);
    expect(ownedResource('', AclResourceTypes.GROUP, 'run1.gateway')).toBe(false);
    expect(ownedResource('', AclResourceTypes.TOPIC, '__consumer_offsets')).toBe(false);
    expect(ownedResource('', AclResourceTypes.CLUSTER, 'kafka-cluster')).toBe(false);
  });
});
