import { Client } from 'pg';
import { CHECK_AGENCIES, checkRequestedTopic, noticeIssuedTopic, TOPIC_DEFINITIONS, TOPICS } from '@mash/contracts';
import { driveToInformed, familyContact, Submitted, submitWithFailover } from '../support/contactFlow';
import { END_STATE_TOPICS, settledEndState } from '../support/endState';
import { startTestHub, TestHub } from '../support/hub';
import { kafkaCluster, partitionLayout } from '../support/kafkaCluster';
import { LogReader } from '../support/logReader';
import { failOnStuck } from '../support/stuckReport';
import { poll } from '../support/topics';

// The short form (.ci/run) streams fewer contacts; the kill and restart happen at the same fractions.
const CONTACTS = Number(process.env.MASH_CLUSTER_CONTACTS ?? (process.env.MASH_CLUSTER_SET === 'short' ? 30 : 60));
const KILL_AT = Math.floor(CONTACTS / 3);
const RESTART_AT = Math.floor((CONTACTS * 3) / 4);
const GAP_MS = 300;
const REFERRER_TOPIC = noticeIssuedTopic('police');

/**
 * One broker of the three-broker cluster is killed with -9 while contacts stream through the real
 * services, and restarted later: the partitions it led get new leaders, and still every contact
 * reaches its end state exactly once (one case, one request per planned agency, readiness declared
 * once, one acknowledgement and one outcome notice, nothing dead-lettered).
 * Run by `npm run test:cluster`, which starts the cluster; on its own it refuses to run.
 */
describe('three-broker cluster: kill -9 of a broker mid-stream loses and repeats nothing', () => {
  let hub: TestHub;
  let log: LogReader;
  let db: Client;
  let driven: Awaited<ReturnType<typeof driveToInformed>> | undefined;

  beforeAll(async () => {
    if (!kafkaCluster.inUse())
      throw new Error('needs the three-broker cluster: run `npm run test:cluster` (it starts infra/kafka.sh cluster)');
    hub = await startTestHub(CHECK_AGENCIES.map((a) => ({ name: `connector-${a}`, entry: `apps/connectors/${a}/src/main` })));
    log = new LogReader(hub.env.KAFKA_BROKERS, hub.env.MASH_TOPIC_PREFIX);
    await log.read(END_STATE_TOPICS(CHECK_AGENCIES.map(checkRequestedTopic), [REFERRER_TOPIC]));
    db = new Client({ connectionString: hub.env.DATABASE_URL });
    await db.connect();
  }, 300000);

  afterAll(async () => {
    await db?.end();
    await log?.stop();
    await hub?.stop();
  }, 120000);

  it('every topic of the run is on three replicas, all in sync', async () => {
    const runTopics = TOPIC_DEFINITIONS.map((t) => hub.env.MASH_TOPIC_PREFIX + t.name);
    // A follower on a busy 2-core machine can drop out of the ISR for a moment just after the topics
    // are created; it must be back within a minute, or the assertion below names the partition.
    const layout = await poll(
      async () => {
        const now = await partitionLayout(hub.env.KAFKA_BROKERS, runTopics);
        return Object.values(now.isr).every((isr) => isr.length === 3) ? now : undefined;
      },
      60000,
      'every partition on three in-sync replicas',
    ).catch(() => partitionLayout(hub.env.KAFKA_BROKERS, runTopics));
    const partitions = Object.keys(layout.replicas);
    expect(partitions.length).toBe(TOPIC_DEFINITIONS.reduce((n, t) => n + t.partitions, 0));
    for (const p of partitions) {
      expect({ p, replicas: layout.replicas[p]!.length, isr: layout.isr[p]!.length }).toEqual({ p, replicas: 3, isr: 3 });
    }
  });

  it('contacts streamed across a broker kill and restart each reach their end state once', async () => {
    const brokers = hub.env.KAFKA_BROKERS;
    const runTopics = TOPIC_DEFINITIONS.map((t) => hub.env.MASH_TOPIC_PREFIX + t.name);
    const received = `${hub.env.MASH_TOPIC_PREFIX}${TOPICS.contactReceived}/0`;
    const t0 = Date.now();
    const events: string[] = [];
    const note = (e: string) => {
      events.push(`+${((Date.now() - t0) / 1000).toFixed(1)}s ${e}`);
    };

    // The victim leads partition 0 of the front door's topic, so the stream's own path loses its leader.
    const before = await partitionLayout(brokers, runTopics);
    const victim = before.leaders[received]!;
    const led = Object.entries(before.leaders)
      .filter(([, leader]) => leader === victim)
      .map(([p]) => p);
    let moved: Promise<void> = Promise.resolve();
    let restarted: Promise<void> = Promise.resolve();

    const gateways = () => [hub.gatewayUrl];
    const submissions: Promise<Submitted>[] = [];
    for (let i = 0; i < CONTACTS; i++) {
      if (i === KILL_AT) {
        note(await kafkaCluster.kill(victim));
        // Leaders move once the controller fences the dead broker; watched while the stream goes on.
        moved = poll(
          async () => {
            const now = await partitionLayout(brokers, runTopics);
            return led.every((p) => now.leaders[p] !== victim && now.leaders[p]! > 0) ? now : undefined;
          },
          60000,
          `new leaders for the ${led.length} partitions node ${victim} led`,
        ).then((now) =>
          note(`leaders moved: ${led.length} partitions now led by nodes ${[...new Set(led.map((p) => now.leaders[p]))].join(',')}`),
        );
      }
      if (i === RESTART_AT) restarted = moved.then(async () => note(await kafkaCluster.restart(victim)));
      submissions.push(submitWithFailover(gateways, i, familyContact(hub.runId, i), i));
      await new Promise((r) => setTimeout(r, GAP_MS));
    }
    const accepted = await Promise.all(submissions);
    note(`${accepted.length} contacts accepted`);
    await moved;
    await restarted;

    const contactIds = accepted.map((s) => s.contactId);
    expect(new Set(contactIds).size).toBe(CONTACTS);
    driven = await driveToInformed(gateways, contactIds, 360000);
    note(`all referrers informed: ${driven.stuck.length} stuck, ${driven.decisions} decisions recorded`);
    await failOnStuck(db, hub.env, hub.runId, driven.stuck, events);
    expect(driven.decisions).toBe(CONTACTS);

    const report = await settledEndState(db, log, contactIds, REFERRER_TOPIC);
    // The restarted broker caught up: every partition is back on three in-sync replicas.
    const after = await poll(
      async () => {
        const now = await partitionLayout(brokers, runTopics);
        return Object.values(now.isr).every((isr) => isr.length === 3) ? now : undefined;
      },
      120000,
      `node ${victim} back in every ISR`,
    ).catch(() => partitionLayout(brokers, runTopics));
    console.log(
      [
        `broker kill: node ${victim} (led ${led.length} of ${Object.keys(before.leaders).length} partitions) killed at contact ${KILL_AT}, restarted from contact ${RESTART_AT}`,
        ...events,
        `referrer status: ${driven.stageNotInformed.length} contacts informed whose stage says otherwise`,
        `end state: ${report.contacts} contacts, ${report.cases} cases, ${report.requests} requests, ${report.notices} notices, ${report.rewrittenEnvelopes} envelopes written twice to the log (ignored by consumers)`,
        `node ${victim} back in the ISR of ${Object.values(after.isr).filter((isr) => isr.includes(victim)).length} of ${Object.keys(after.isr).length} partitions`,
      ].join('\n'),
    );
    expect(report.violations).toEqual([]);
    expect(report.cases).toBe(CONTACTS);
    expect(Object.entries(after.isr).filter(([, isr]) => isr.length !== 3)).toEqual([]);
  }, 900000);

  it("each referrer's status ends on referrer-informed: a later-projected older event of the case does not take it back", () => {
    if (!driven) throw new Error('the stream above did not get as far as informing the referrers');
    // History is in the order events were applied: an older event applied after the receipt shows there.
    expect(
      driven.stageNotInformed.map((s) => `${s.contactId}: ${s.stage} after ${s.history.map((h) => `${h.stage}@${h.at}`).join(', ')}`),
    ).toEqual([]);
  });
});
