/**
 * Removing a principal revokes it, on the real broker and without `infra/kafka.sh reset`:
 * - `infra/kafka.sh principals add` makes a new SCRAM user on the running broker;
 * - provisioning grants what the grants list says and deletes the entries it no longer says, and a
 *   session that was already open is refused on its next request (ACLs are checked per request);
 * - `principals remove` (and `principals sync` after a name is taken out of the file) deletes the
 *   SCRAM user, so the principal cannot log in again.
 *
 * The shared broker's own principals file is never edited: the script works on a copy
 * (KAFKA_PRINCIPALS_FILE), whose users are the broker's plus this run's probes.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { KAFKA_GRANTS, KafkaGrant, TOPIC_DEFINITIONS, TOPICS } from '@mash/contracts';
import { credentialsOf, KafkaPort, loadKafkaPrincipals, provisionKafka } from '@mash/messaging';
import { dropRunState } from '../scripts/runState';

const run = promisify(execFile);
const file = process.env.MASH_KAFKA_PRINCIPALS;
const maybe = file ? describe : describe.skip;
if (!file) process.stdout.write('kafkaRevoke.spec: skipped, the broker in use has no users (MASH_KAFKA_PRINCIPALS unset)\n');

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const runId = `kr${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const prefix = `${runId}.`;
const probe = `probe-${runId}`;
const probe2 = `probe2-${runId}`;

/** The broker's error type, looked for through kafkajs's retry wrappers; 'allowed' when it worked. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'allowed';
  } catch (err) {
    for (let e = err as { type?: string; name?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
      if (e.type) return e.type;
      if (e.name === 'KafkaJSSASLAuthenticationError') return e.name;
    }
    return String((err as Error).message);
  }
}

maybe('removing a Kafka principal revokes it', () => {
  let dir: string;
  let copy: string;
  let admin: KafkaPort;
  const script = (...args: string[]) =>
    run('bash', ['infra/kafka.sh', 'principals', ...args], { env: { ...process.env, KAFKA_PRINCIPALS_FILE: copy }, timeout: 240_000 });
  const passwordOf = (name: string) => (JSON.parse(readFileSync(copy, 'utf8')) as { principals: Record<string, string> }).principals[name];
  const client = (username: string, password: string) =>
    new Kafka({
      clientId: 'revoke-test',
      brokers: BROKERS,
      logLevel: logLevel.NOTHING,
      retry: { retries: 1, initialRetryTime: 100 },
      connectionTimeout: 5000,
      sasl: { mechanism: 'scram-sha-512', username, password },
    }).admin();
  const defs = TOPIC_DEFINITIONS.filter((d) => d.name === TOPICS.caseRated || d.name === TOPICS.deadLetter);
  const probeGrant: KafkaGrant = {
    principal: probe,
    read: [TOPICS.caseRated],
    write: [],
    describe: [],
    groups: [],
    groupPrefixes: [],
    describeGroups: [],
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mash-revoke-'));
    copy = join(dir, 'principals.json');
    copyFileSync(file!, copy);
    chmodSync(copy, 0o600);
    admin = new KafkaPort({
      brokers: BROKERS,
      clientId: 'revoke-test-admin',
      prefix,
      sasl: credentialsOf(loadKafkaPrincipals(file!), 'admin'),
    });
  }, 30_000);

  afterAll(async () => {
    // Whatever a failed step left behind: no probe user survives the run.
    await script('remove', probe, probe2).catch(() => undefined);
    await admin?.close();
    await dropRunState(runId, process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres', BROKERS.join(','));
    rmSync(dir, { recursive: true, force: true });
  }, 300_000);

  it('adds a principal to the running broker, grants it, then revokes the grant from an open session and deletes the user', async () => {
    await script('add', probe);
    const password = passwordOf(probe);
    expect(password).toMatch(/^[0-9a-f]{48}$/);

    const first = await provisionKafka(admin, defs, [...KAFKA_GRANTS, probeGrant]);
    expect(first.revoked).toBe(0);
    const session = client(probe, password);
    await session.connect();
    try {
      expect(await outcome(session.fetchTopicOffsets(prefix + TOPICS.caseRated))).toBe('allowed');
      // A topic it was never granted, for contrast: the check is real.
      expect(await outcome(session.fetchTopicOffsets(prefix + TOPICS.deadLetter))).toBe('TOPIC_AUTHORIZATION_FAILED');

      // The principal leaves the grants list: provisioning deletes its entry, nobody else's.
      const second = await provisionKafka(admin, defs);
      expect(second.revoked).toBe(1);
      expect(second.acls).toBe(first.acls - 1);
      expect(await outcome(session.fetchTopicOffsets(prefix + TOPICS.caseRated))).toBe('TOPIC_AUTHORIZATION_FAILED');
    } finally {
      await session.disconnect();
    }

    await script('remove', probe);
    expect(passwordOf(probe)).toBeUndefined();
    expect(await outcome(client(probe, password).connect())).toBe('KafkaJSSASLAuthenticationError');
    // The hub's own principals were left alone.
    const gateway = client('gateway', passwordOf('gateway'));
    expect(await outcome(gateway.connect())).toBe('allowed');
    await gateway.disconnect();
  }, 300_000);

  it('sync deletes a user whose name was taken out of the principals file', async () => {
    await script('add', probe2);
    const password = passwordOf(probe2);
    const before = client(probe2, password);
    expect(await outcome(before.connect())).toBe('allowed');
    await before.disconnect();

    const parsed = JSON.parse(readFileSync(copy, 'utf8')) as { principals: Record<string, string> };
    delete parsed.principals[probe2];
    writeFileSync(copy, JSON.stringify(parsed, null, 2) + '\n', { mode: 0o600 });
    const { stdout } = await script('sync');
    expect(stdout).toMatch(/0 added, 1 removed/);
    expect(await outcome(client(probe2, password).connect())).toBe('KafkaJSSASLAuthenticationError');
  }, 300_000);
});
