import { Agent } from 'node:http';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import {
  CaseRated,
  CaseReady,
  CHECK_AGENCIES,
  CheckAgency,
  CheckChased,
  CheckReplied,
  CheckRequested,
  checkRepliedTopic,
  checkRequestedTopic,
  DecisionRecorded,
  NoticeDelivered,
  SubmittingAgency,
  TOPICS,
} from '@mash/contracts';
import { KafkaPort, messagingConfigFromEnv, Received } from '@mash/messaging';
import { createDatabase, dropDatabase, virtualClockDatabaseUrl } from '@mash/platform';
import { loadPolicy, policyPathFromEnv, type Policy } from '@mash/policy';
import { startTestHub, TEST_TOKENS, TestHub } from '../../test/support/hub';
import { httpJson } from '../load/drive';
import { GeneratedContact, generateContacts } from '../load/generate';
import { prng } from '@mash/contracts/examples/seededRandom';
import { AgencyBehaviour, decisionTime, replyTime } from './actors';
import { HubProbe, SIMULATED_SERVICES } from './hubProbe';
import { arrivalTimes, MixProfile } from './profiles';
import { CaseRecord, ReferrerRecord, RequestRecord, SimRecords, toldWithinMinute } from './report';
import { VirtualClockController } from './virtualClock';

/** One contact the simulation sends: what, from whom, and when (epoch ms, virtual). */
export interface ScheduledContact {
  at: number;
  agency: SubmittingAgency;
  contact: GeneratedContact['contact'];
}

export interface SimulationOptions {
  /** Path of the policy file (relative to the repository root, or absolute). */
  policy: string;
  start: Date;
  days: number;
  seed: number;
  agencies: (agency: CheckAgency) => AgencyBehaviour;
  /** Contacts drawn from a profile, or given outright (tests). */
  profile?: MixProfile;
  contacts?: ScheduledContact[];
  /** Virtual days after the period to let open cases reach their decision (default 10). */
  drainDays?: number;
  onProgress?: (simulatedMs: number, totalMs: number) => void;
  /**
   * Fire the simulator's own events (contacts, replies, decisions) at the next multiple of this
   * many ms rather than at their exact time: fewer clock steps, each event up to this much later.
   * 0 (default): exact. The hub's own timers always fire at their exact time.
   */
  quantumMs?: number;
}

export interface SimulationResult {
  records: SimRecords;
  contactsSent: number;
  steps: number;
  wallMs: number;
  /** Virtual time reached when the run stopped. */
  endedAt: Date;
  refused: string[];
}

type SimEvent =
  | { at: number; kind: 'contact'; item: ScheduledContact }
  | { at: number; kind: 'reply'; request: CheckRequested }
  | { at: number; kind: 'decide'; caseId: string };

/** A time-ordered queue; events at one time keep the order they were added in. */
class EventQueue {
  private items: SimEvent[] = [];
  add(e: SimEvent): void {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.items[mid]!.at <= e.at) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, e);
  }
  peek(): number | undefined {
    return this.items[0]?.at;
  }
  takeUntil(t: number): SimEvent[] {
    let n = 0;
    while (n < this.items.length && this.items[n]!.at <= t) n++;
    return this.items.splice(0, n);
  }
  get size(): number {
    return this.items.length;
  }
}

export function profileContacts(profile: MixProfile, start: Date, days: number, seed: number): ScheduledContact[] {
  const times = arrivalTimes(profile, start, days, prng(seed ^ 0x5eed));
  const list = generateContacts({
    count: times.length,
    seed,
    baseTime: start,
    tag: `S${seed}`,
    ...(profile.ratingWeights ? { ratingWeights: profile.ratingWeights } : {}),
  });
  return list.map((g, i) => {
    const at = times[i]!;
    const incident = g.contact.incident;
    // An incident is reported after it happened: one the generator placed later is moved to an hour before.
    const contact =
      incident?.occurredAt && Date.parse(incident.occurredAt) > at
        ? { ...g.contact, incident: { ...incident, occurredAt: new Date(at - 3_600_000).toISOString() } }
        : g.contact;
    return { at, agency: g.agency, contact };
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the real hub on the virtual clock: starts the four services against a database and topic
 * prefix of its own, then repeatedly lets the hub settle at the current virtual time and moves the
 * clock to the next thing that happens (a contact, an agency's reply, a decision, or the hub's own
 * next timer or notice retry). Events and timers so happen in simulated order, exactly as in real
 * time, with the hub's processing taking no simulated time (docs/simulation.md).
 */
export async function simulate(opts: SimulationOptions): Promise<SimulationResult> {
  const wallStart = Date.now();
  const policyPath = policyPathFromEnv({ MASH_POLICY: opts.policy });
  const policy: Policy = loadPolicy(policyPath);
  const contacts = opts.contacts ?? (opts.profile ? profileContacts(opts.profile, opts.start, opts.days, opts.seed) : []);
  const endMs = opts.start.getTime() + opts.days * 86_400_000;
  const drainEndMs = endMs + (opts.drainDays ?? 10) * 86_400_000;
  const rng = prng(opts.seed ^ 0xa9e7c1e5);

  const base = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const dbName = `mash_sim_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: base.toString() });
  await admin.connect();
  await createDatabase(admin, dbName);
  const dbUrl = new URL(base.toString());
  dbUrl.pathname = `/${dbName}`;
  const simUrl = virtualClockDatabaseUrl(dbUrl.toString());
  const clock = await VirtualClockController.create(dbUrl.toString(), opts.start);

  let hub: TestHub | undefined;
  let port: KafkaPort | undefined;
  let probe: HubProbe | undefined;
  const stopAll = async () => {
    await port?.close().catch(() => undefined);
    await probe?.close();
    await hub?.stop().catch(() => undefined);
    await clock.close();
    await dropDatabase(admin, dbName).catch(() => undefined);
    await admin.end().catch(() => undefined);
  };

  const cases = new Map<string, CaseRecord>();
  const requests = new Map<string, RequestRecord>();
  const referrers = new Map<string, ReferrerRecord>();
  const queue = new EventQueue();
  const q = opts.quantumMs ?? 0;
  const enqueue = (e: SimEvent) => queue.add(q > 0 ? { ...e, at: Math.ceil(e.at / q) * q } : e);
  const refused: string[] = [];
  for (const c of contacts) enqueue({ at: c.at, kind: 'contact', item: c });

  const observe = async (msg: Received) => {
    const d = msg.envelope.data as unknown;
    if (msg.topic === TOPICS.caseRated) {
      const e = d as CaseRated;
      const known = cases.get(e.caseId);
      if (!known)
        cases.set(e.caseId, { caseId: e.caseId, rating: e.rating, receivedAt: Date.parse(e.ratedAt), deadline: Date.parse(e.deadline) });
      else {
        // Events of one case share its partition: the last one handled is the latest rating made.
        known.latestRating = e.rating;
        // An escalation brings the deadline forward, never back (the hub's rule).
        known.deadline = Math.min(known.deadline, Date.parse(e.deadline));
      }
      const r = referrers.get(e.contactId);
      if (r && !r.caseId) r.caseId = e.caseId;
    } else if (msg.topic === TOPICS.caseReady) {
      const e = d as CaseReady;
      const c = cases.get(e.caseId);
      if (c && c.readyAt === undefined) {
        c.readyAt = Date.parse(e.readyAt);
        c.missingAtReady = e.missing;
        enqueue({
          at: Math.max(decisionTime(c.readyAt, c.rating, policy, rng), clock.now().getTime()),
          kind: 'decide',
          caseId: c.caseId,
        });
      }
    } else if (msg.topic === TOPICS.checkChased) {
      const e = d as CheckChased;
      if (e.kind === 'reminder') requests.get(e.requestId)?.reminders.push(Date.parse(e.at));
    } else if (msg.topic === TOPICS.decisionRecorded) {
      const e = d as DecisionRecorded;
      const c = cases.get(e.caseId);
      if (c && c.decidedAt === undefined) c.decidedAt = Date.parse(e.decidedAt);
    } else if (msg.topic === TOPICS.noticeDelivered) {
      const e = d as NoticeDelivered;
      const r = e.contactId ? referrers.get(e.contactId) : undefined;
      if (e.kind === 'outcome' && r && r.outcomeStatus === undefined) {
        r.outcomeStatus = e.status;
        r.outcomeAt = Date.parse(e.at);
      }
    } else {
      const e = d as CheckRequested;
      if (requests.has(e.requestId)) return;
      const requestedAt = Date.parse(e.requestedAt);
      const dueAt = Date.parse(e.dueAt);
      requests.set(e.requestId, { requestId: e.requestId, caseId: e.caseId, agency: e.agency, requestedAt, dueAt, reminders: [] });
      const at = replyTime(requestedAt, dueAt, opts.agencies(e.agency), rng);
      if (at !== null) enqueue({ at: Math.max(at, clock.now().getTime()), kind: 'reply', request: e });
    }
  };

  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const fire = async (e: SimEvent): Promise<void> => {
    const nowIso = clock.now().toISOString();
    if (e.kind === 'contact') {
      const res = await httpJson(
        agent,
        `${hub!.gatewayUrl}/v1/agencies/${e.item.agency}/contacts`,
        'POST',
        TEST_TOKENS[e.item.agency],
        e.item.contact,
      );
      const body = JSON.parse(res.body || '{}') as { contactId?: string };
      if ((res.status === 202 || res.status === 200) && body.contactId) {
        referrers.set(body.contactId, {
          contactId: body.contactId,
          hasChannel: e.item.contact.referrer.channel?.kind !== 'none',
          sentAt: clock.now().getTime(),
        });
      } else refused.push(`contact ${e.item.contact.agencyReference}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
    } else if (e.kind === 'reply') {
      const r = requests.get(e.request.requestId);
      const reply: CheckReplied = {
        requestId: e.request.requestId,
        caseId: e.request.caseId,
        agency: e.request.agency,
        repliedAt: nowIso,
        known: false,
        entries: [],
      };
      await port!.publish([
        { topic: checkRepliedTopic(e.request.agency), key: e.request.caseId, data: reply, correlationId: e.request.requestId },
      ]);
      if (r) r.repliedAt = clock.now().getTime();
    } else {
      const c = cases.get(e.caseId)!;
      const res = await httpJson(agent, `${hub!.gatewayUrl}/v1/cases/${e.caseId}/decision`, 'POST', TEST_TOKENS.manager, {
        outcomes: ['early-help'],
        // The rating as it stands when the decision is made, not as it was when the case became ready.
        finalRating: c.latestRating ?? c.rating,
        responsibleTeam: { name: 'Early Help Hub North', inHours: '01234 567890' },
      });
      if (res.status !== 201 && !(res.status === 409 && /already has decision/.test(res.body)))
        refused.push(`decision ${e.caseId}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
    }
  };

  let steps = 0;
  // Interrupted: the hub's processes, database and topics go too.
  const onSignal = () => void stopAll().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    hub = await startTestHub([], {
      DATABASE_URL: simUrl,
      MASH_CLOCK: 'shared',
      MASH_POLICY: policyPath,
      MASH_OUTBOX_POLL_MS: '20',
      MASH_TIMER_POLL_MS: '20',
      MASH_NOTICE_POLL_MS: '20',
      LOG_LEVEL: 'warn',
    });
    if (process.env.SIM_DEBUG) process.stderr.write(`[sim] hub up after ${((Date.now() - wallStart) / 1000).toFixed(0)}s\n`);
    port = new KafkaPort(messagingConfigFromEnv('simulator', { ...process.env, ...hub.env }));
    await port.subscribe({
      group: 'simulator',
      topics: [
        TOPICS.caseRated,
        TOPICS.caseReady,
        TOPICS.checkChased,
        TOPICS.decisionRecorded,
        TOPICS.noticeDelivered,
        ...CHECK_AGENCIES.map((a) => checkRequestedTopic(a)),
      ],
      handle: observe,
      concurrency: 4,
    });
    probe = await HubProbe.open(simUrl, port, [...SIMULATED_SERVICES, 'simulator']);

    const settle = async () => {
      let quiet = 0;
      for (let round = 0; ; round++) {
        const busy = (await probe!.pendingWork()) || (await probe!.lag());
        quiet = busy ? 0 : quiet + 1;
        if (quiet >= 2) return;
        if (round > 20000) throw new Error(`hub did not settle at virtual ${clock.now().toISOString()}`);
        await sleep(quiet ? 5 : 15);
      }
    };

    for (;;) {
      await settle();
      const now = clock.now().getTime();
      opts.onProgress?.(Math.min(now, endMs) - opts.start.getTime(), endMs - opts.start.getTime());
      const openCases = [...cases.values()].some((c) => c.decidedAt === undefined);
      const hubNext = (await probe.nextDue())?.getTime();
      const candidates = [queue.peek(), now >= endMs && !openCases && queue.size === 0 ? undefined : hubNext].filter(
        (x): x is number => x !== undefined,
      );
      if (!candidates.length) break;
      const next = Math.max(now, Math.min(...candidates));
      if (next > drainEndMs || (next > endMs && queue.size === 0 && !openCases)) break;
      steps++;
      if (process.env.SIM_DEBUG && steps % Number(process.env.SIM_DEBUG) === 0) {
        const open = [...cases.values()].filter((c) => c.decidedAt === undefined).length;
        process.stderr.write(
          `[sim] step ${steps} at ${new Date(now).toISOString()} next ${new Date(next).toISOString()} (${queue.peek() === next ? 'sim' : 'hub'}) queue ${queue.size} cases ${cases.size} open ${open} wall ${((Date.now() - wallStart) / 1000).toFixed(0)}s\n`,
        );
      }
      await clock.advance(new Date(next), SIMULATED_SERVICES);
      for (const e of queue.takeUntil(next)) await fire(e);
    }
    if (process.env.SIM_DEBUG) {
      for (const r of referrers.values()) {
        const decidedAt = r.caseId ? cases.get(r.caseId)?.decidedAt : undefined;
        if (!r.hasChannel || decidedAt === undefined || toldWithinMinute(r, decidedAt)) continue;
        const s = (t?: number) => (t === undefined ? '-' : `${Math.round((t - decidedAt) / 1000)} s`);
        process.stderr.write(
          `[sim] referrer of ${r.caseId} not told within a minute: ${r.outcomeStatus ?? 'no notice'}, sent ${s(r.sentAt)}, told ${s(r.outcomeAt)} after the decision\n`,
        );
      }
    }
    return {
      records: {
        policy: opts.policy,
        calendar: policy.calendar,
        cases: [...cases.values()],
        requests: [...requests.values()],
        referrers: [...referrers.values()],
      },
      contactsSent: contacts.length,
      steps,
      wallMs: Date.now() - wallStart,
      endedAt: clock.now(),
      refused,
    };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    agent.destroy();
    await stopAll();
  }
}
