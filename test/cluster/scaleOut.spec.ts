import { Client } from 'pg';
import { CHECK_AGENCIES, checkRequestedTopic, noticeIssuedTopic } from '@mash/contracts';
import { driveToInformed, familyContact, Submitted, submitWithFailover } from '../support/contactFlow';
import { END_STATE_TOPICS, settledEndState } from '../support/endState';
import { SERVICES, startTestHub, TestHub } from '../support/hub';
import { groupMembers, handledCount, Service, startAnotherInstance } from '../support/instances';
import { LogReader } from '../support/logReader';
import { failOnStuck } from '../support/stuckReport';
import { poll } from '../support/topics';

const CONTACTS = Number(process.env.MASH_SCALE_OUT_CONTACTS ?? 48);
const GAP_MS = 250;
const REFERRER_TOPIC = noticeIssuedTopic('police');
// One instance of each service is killed with -9 while contacts still stream in, a few apart.
const KILLS: { service: Service; atContact: number }[] = [
  { service: 'triage', atContact: Math.floor(CONTACTS * 0.4) },
  { service: 'checks', atContact: Math.floor(CONTACTS * 0.5) },
  { service: 'notifier', atContact: Math.floor(CONTACTS * 0.6) },
  { service: 'gateway', atContact: Math.floor(CONTACTS * 0.7) },
];

interface Instance {
  service: Service;
  name: string;
  port: number;
  killed?: { atContact: number; handledBefore: number };
  /** For the survivor of a pair: what it had handled when its partner was killed. */
  handledAtPartnerKill?: number;
}

/**
 * Two instances of each service (gateway, triage, checks, notifier) against one broker and one
 * database: each consumer group has both as members with partitions of their own, both instances
 * handle messages, contacts are posted to both gateways, and nothing happens twice. Mid-run one
 * instance of each is killed with -9; the other takes over its partitions (after the group's
 * session timeout) and every contact still reaches its end state exactly once.
 */
describe('scale-out: two instances of every service share the work; one of each killed, the other finishes', () => {
  let hub: TestHub;
  let log: LogReader;
  let db: Client;
  let driven: Awaited<ReturnType<typeof driveToInformed>> | undefined;
  const instances: Instance[] = [];

  beforeAll(async () => {
    hub = await startTestHub(CHECK_AGENCIES.map((a) => ({ name: `connector-${a}`, entry: `apps/connectors/${a}/src/main` })));
    for (const s of SERVICES) instances.push({ service: s, name: s, port: hub.ports[s]! });
    for (const s of SERVICES) {
      const second = await startAnotherInstance(hub, s, 2);
      instances.push({ service: s, name: second.name, port: second.port });
    }
    log = new LogReader(hub.env.KAFKA_BROKERS, hub.env.MASH_TOPIC_PREFIX);
    await log.read(END_STATE_TOPICS(CHECK_AGENCIES.map(checkRequestedTopic), [REFERRER_TOPIC]));
    db = new Client({ connectionString: hub.env.DATABASE_URL });
    await db.connect();
  }, 400000);

  afterAll(async () => {
    await db?.end();
    await log?.stop();
    await hub?.stop();
  }, 120000);

  const alive = (i: Instance) => {
    const p = hub.processes.get(i.name);
    return !!p && p.child.exitCode === null && p.child.signalCode === null;
  };
  const gateways = () => instances.filter((i) => i.service === 'gateway' && alive(i)).map((i) => `http://127.0.0.1:${i.port}`);

  it('each consumer group has two members, each with partitions of its own', async () => {
    for (const s of SERVICES) {
      const members = await poll(
        async () => {
          const m = await groupMembers(hub.env.KAFKA_BROKERS, `${hub.env.MASH_TOPIC_PREFIX}${s}`);
          return m.length === 2 && m.every((x) => x.partitions > 0) ? m : undefined;
        },
        60000,
        `two members with partitions in group ${s}`,
      );
      expect(members.map((m) => m.partitions > 0)).toEqual([true, true]);
    }
  });

  it('contacts flow through both instances of each service; after one of each is killed the other completes every contact exactly once', async () => {
    const t0 = Date.now();
    const events: string[] = [];
    const note = (e: string) => {
      events.push(`+${((Date.now() - t0) / 1000).toFixed(1)}s ${e}`);
    };
    const submissions: Promise<Submitted>[] = [];
    for (let i = 0; i < CONTACTS; i++) {
      for (const k of KILLS.filter((x) => x.atContact === i)) {
        // Both instances must have done work before one dies: progress in parallel, not failover.
        const pair = instances.filter((x) => x.service === k.service);
        const counts = await poll(
          async () => {
            const c = await Promise.all(pair.map((x) => handledCount(x.port)));
            return c.every((n) => n > 0) ? c : undefined;
          },
          90000,
          `both ${k.service} instances handling messages`,
        );
        const victim = pair[0]!;
        await hub.processes.get(victim.name)!.stop('SIGKILL');
        victim.killed = { atContact: i, handledBefore: counts[0]! };
        pair[1]!.handledAtPartnerKill = counts[1]!;
        note(`kill -9 ${victim.name} (had handled ${counts[0]}; ${pair[1]!.name} had handled ${counts[1]})`);
      }
      // Round robin over the gateways that are up; a request cut by the gateway kill is sent again to the other.
      submissions.push(submitWithFailover(gateways, i, familyContact(hub.runId, i), i));
      await new Promise((r) => setTimeout(r, GAP_MS));
    }
    const accepted = await Promise.all(submissions);
    note(`${accepted.length} contacts accepted`);
    const firstTry = new Map<string, number>();
    for (const s of accepted) firstTry.set(s.tried[0]!, (firstTry.get(s.tried[0]!) ?? 0) + 1);
    note(
      `first gateway tried: ${[...firstTry].map(([u, n]) => `${u} ${n}`).join(', ')}; ${accepted.filter((s) => s.tried.length > 1).length} sent again to another gateway`,
    );

    const contactIds = accepted.map((s) => s.contactId);
    expect(new Set(contactIds).size).toBe(CONTACTS);
    driven = await driveToInformed(gateways, contactIds, 420000);
    note(`all referrers informed: ${driven.stuck.length} stuck, ${driven.decisions} decisions recorded`);
    await failOnStuck(db, hub.env, hub.runId, driven.stuck, events);
    expect(driven.decisions).toBe(CONTACTS);

    const report = await settledEndState(db, log, contactIds, REFERRER_TOPIC);

    // The survivors carried on: each handled more after its partner died than it had before.
    const survivors = instances.filter((i) => !i.killed);
    const finalCounts = await Promise.all(survivors.map(async (i) => [i.name, await handledCount(i.port)] as const));
    console.log(
      [
        `scale-out: ${CONTACTS} contacts, two instances each of ${SERVICES.join(', ')}`,
        ...events,
        `handled at the end: ${finalCounts.map(([n, c]) => `${n} ${c}`).join(', ')}; killed: ${instances
          .filter((i) => i.killed)
          .map((i) => `${i.name} ${i.killed!.handledBefore}`)
          .join(', ')}`,
        `referrer status: ${driven.stageNotInformed.length} contacts informed whose stage says otherwise`,
        `end state: ${report.contacts} contacts, ${report.cases} cases, ${report.requests} requests, ${report.notices} notices, ${report.rewrittenEnvelopes} envelopes written twice to the log (ignored by consumers)`,
      ].join('\n'),
    );
    expect(report.violations).toEqual([]);
    expect(report.cases).toBe(CONTACTS);
    for (const s of SERVICES) {
      const killed = instances.find((i) => i.service === s && i.killed)!;
      const survivor = instances.find((i) => i.service === s && !i.killed)!;
      expect({ service: s, killedHadHandled: killed.killed!.handledBefore > 0 }).toEqual({ service: s, killedHadHandled: true });
      const final = finalCounts.find(([n]) => n === survivor.name)![1];
      expect({
        service: s,
        survivorHandledBeforeKill: survivor.handledAtPartnerKill! > 0,
        survivorCarriedOn: final > survivor.handledAtPartnerKill!,
      }).toEqual({ service: s, survivorHandledBeforeKill: true, survivorCarriedOn: true });
    }
    // Both gateways took contacts before one of them was killed.
    expect(firstTry.size).toBe(2);
  }, 1200000);

  it("each referrer's status ends on referrer-informed: a later-projected older event of the case does not take it back", () => {
    if (!driven) throw new Error('the stream above did not get as far as informing the referrers');
    // History is in the order events were applied: an older event applied after the receipt shows there.
    expect(
      driven.stageNotInformed.map((s) => `${s.contactId}: ${s.stage} after ${s.history.map((h) => `${h.stage}@${h.at}`).join(', ')}`),
    ).toEqual([]);
  });
});
