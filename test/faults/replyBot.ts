import { CHECK_AGENCIES, CheckReplied, CheckRequested, checkRepliedTopic, checkRequestedTopic } from '@mash/contracts';
import { envelopeFor, KafkaPort, RawRecord, Subscription } from '@mash/messaging';
import { prng } from '@mash/contracts/examples/seededRandom';

/**
 * The suite stands in for every agency's connector, so it decides how replies land: all of a
 * case's replies in one produce request (the same millisecond, shuffled, one stamp), one by one in
 * each possible order, or each sent twice (the same message again, then a fresh message for the
 * same request, as a stateless connector answering a redelivered request would). Red cases keep
 * one agency silent, so their reminders, escalation and case deadline must fire, once each.
 */

export type Strategy = 'same-millisecond' | 'ordered' | 'duplicated';

export interface CasePlanRecord {
  caseId: string;
  strategy: Strategy;
  /** Agencies answered, in the order sent. */
  answered: string[];
  /** Agencies deliberately left silent. */
  withheld: string[];
  rating: string;
  /** Which permutation of the agencies an 'ordered' case used. */
  permutation?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ReplyBot {
  private sub?: Subscription;
  private readonly pending = new Map<string, CheckRequested[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Per request: answered or withheld, decided once, so a redelivered request gets the same treatment. */
  private readonly decided = new Map<string, 'answer' | 'withhold'>();
  readonly cases = new Map<string, CasePlanRecord>();
  readonly stats = {
    requestsSeen: 0,
    repliesSent: 0,
    sameMillisecondBatches: 0,
    rawResends: 0,
    freshResends: 0,
    redeliveredRequestsAnsweredAgain: 0,
    sendFailures: 0,
  };
  /** Replies are sent through a producer of the bot's own, replaced if it stops working. */
  private sender: KafkaPort;
  private readonly unsentRequests = new Map<string, number>();
  private stopped = false;
  private readonly rnd: () => number;
  private caseCounter = 0;
  /** Per set of agencies: how many 'ordered' cases had it, so each set walks through all its orders. */
  private readonly orderCounters = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly port: KafkaPort,
    seed: number,
    private readonly quietMs = 250,
  ) {
    this.rnd = prng(seed ^ 0x5eed);
    this.sender = new KafkaPort(port.config);
  }

  async start(): Promise<void> {
    this.sub = await this.port.subscribe({
      group: 'fault-suite-connectors',
      topics: CHECK_AGENCIES.map((a) => checkRequestedTopic(a)),
      concurrency: 8,
      handle: async (msg) => {
        const r = msg.envelope.data as CheckRequested;
        this.stats.requestsSeen++;
        const seen = this.decided.get(r.requestId);
        if (seen) {
          // A request delivered again (relay resend, redelivery): a stateless connector answers again.
          if (seen === 'answer') {
            this.stats.redeliveredRequestsAnsweredAgain++;
            await this.send([r], 'duplicate-of-redelivered');
          }
          return;
        }
        const list = this.pending.get(r.caseId) ?? [];
        if (!list.some((x) => x.requestId === r.requestId)) list.push(r);
        this.pending.set(r.caseId, list);
        // Requests of one case come from one transaction's outbox rows: wait until they stop coming.
        clearTimeout(this.timers.get(r.caseId));
        this.timers.set(
          r.caseId,
          setTimeout(() => this.track(this.flush(r.caseId)), this.quietMs),
        );
      },
    });
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    p.catch((err) => process.stderr.write(`reply bot: ${(err as Error).message}\n`)).finally(() => this.inFlight.delete(p));
  }

  private reply(r: CheckRequested, at: Date): CheckReplied {
    return { requestId: r.requestId, caseId: r.caseId, agency: r.agency, repliedAt: at.toISOString(), known: false, entries: [] };
  }

  private record(r: CheckRequested, data: CheckReplied): RawRecord {
    const env = envelopeFor(
      { topic: checkRepliedTopic(r.agency), key: r.caseId, data, correlationId: r.requestId },
      'fault-suite-connector',
    );
    return { topic: env.type, key: env.key, value: JSON.stringify(env) };
  }

  /** Sends, retrying while the broker is away (the suite kills it): a reply is never dropped. */
  private async send(rs: CheckRequested[], _why: string, at = new Date()): Promise<RawRecord[]> {
    const records = rs.map((r) => this.record(r, this.reply(r, at)));
    await this.sendRecords(records);
    return records;
  }

  /**
   * A reply the bot decided to send is sent, however long the broker is away: giving up would
   * leave a request marked answered that nobody answered, and a stateless connector answering the
   * final replay's copy of that request would then look like a reply the hub only handled late.
   * Every few failures the bot's producer is replaced, in case a broker restart left it unable to
   * send; replies still unsent when the suite reads the end state are named by `unsent`.
   */
  private async sendRecords(records: RawRecord[]): Promise<void> {
    const ids = records.map((r) => (JSON.parse(r.value) as { data: { requestId: string } }).data.requestId);
    for (const id of ids) this.unsentRequests.set(id, (this.unsentRequests.get(id) ?? 0) + 1);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.sender.sendRaw(records);
        this.stats.repliesSent += records.length;
        for (const id of ids) {
          const n = (this.unsentRequests.get(id) ?? 1) - 1;
          if (n > 0) this.unsentRequests.set(id, n);
          else this.unsentRequests.delete(id);
        }
        return;
      } catch (err) {
        this.stats.sendFailures++;
        if (this.stopped) throw err;
        if (attempt % 20 === 0) {
          process.stderr.write(
            `reply bot: ${records.length} replies not sent after ${attempt} attempts (${(err as Error).message}); new producer\n`,
          );
          await this.sender.close().catch(() => undefined);
          this.sender = new KafkaPort(this.port.config);
        }
        await sleep(500);
      }
    }
  }

  /** Requests the bot decided to answer whose reply is not on the topic yet. */
  unsent(): string[] {
    return [...this.unsentRequests.keys()];
  }

  private shuffle<T>(xs: T[]): T[] {
    const a = [...xs];
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.rnd() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }

  private async flush(caseId: string): Promise<void> {
    const requests = (this.pending.get(caseId) ?? []).sort((a, b) => a.agency.localeCompare(b.agency));
    this.pending.delete(caseId);
    this.timers.delete(caseId);
    if (!requests.length) return;
    const existing = this.cases.get(caseId);
    const n = existing ? 0 : this.caseCounter++;
    const strategy: Strategy = existing?.strategy ?? (['same-millisecond', 'ordered', 'duplicated'] as const)[n % 3];
    const rec: CasePlanRecord = existing ?? { caseId, strategy, answered: [], withheld: [], rating: requests[0].rating };
    this.cases.set(caseId, rec);
    // Red: the first agency (in name order) of the first batch stays silent, so every timer must fire.
    let toAnswer = requests;
    if (!existing && requests[0].rating === 'RED' && requests.length > 1) {
      const silent = requests[0];
      this.decided.set(silent.requestId, 'withhold');
      rec.withheld.push(silent.agency);
      toAnswer = requests.slice(1);
    }
    for (const r of toAnswer) this.decided.set(r.requestId, 'answer');
    if (!toAnswer.length) return;

    if (strategy === 'same-millisecond' || strategy === 'duplicated') {
      const order = this.shuffle(toAnswer);
      const records = await this.send(order, 'batch');
      this.stats.sameMillisecondBatches++;
      rec.answered.push(...order.map((r) => r.agency));
      if (strategy === 'duplicated') {
        await sleep(Math.floor(this.rnd() * 40));
        await this.sendRecords(records);
        this.stats.rawResends += records.length;
        await this.sendRecords(this.shuffle(toAnswer).map((r) => this.record(r, this.reply(r, new Date()))));
        this.stats.freshResends += toAnswer.length;
      }
      return;
    }
    // 'ordered': each set of agencies walks through its permutations, case after case.
    const perms = permutations(toAnswer);
    const setKey = toAnswer.map((r) => r.agency).join(',');
    const k = this.orderCounters.get(setKey) ?? 0;
    this.orderCounters.set(setKey, k + 1);
    const order = perms[k % perms.length];
    rec.permutation = order.map((r) => r.agency).join('>');
    for (const r of order) {
      await this.send([r], 'ordered');
      rec.answered.push(r.agency);
      await sleep(Math.floor(this.rnd() * 30));
    }
  }

  /** For each set of agencies answered one by one: how many of its orders were used, of how many. */
  orderCoverage(): Record<string, string> {
    const used = new Map<string, Set<string>>();
    for (const c of this.cases.values()) {
      if (!c.permutation) continue;
      const key = c.permutation.split('>').sort().join(',');
      used.set(key, (used.get(key) ?? new Set()).add(c.permutation));
    }
    const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
    return Object.fromEntries([...used].map(([k, v]) => [k, `${v.size} of ${fact(k.split(',').length)}`]));
  }

  /** Whether this request reached the bot (answered or withheld). */
  hasSeen(requestId: string): boolean {
    return this.decided.has(requestId) || [...this.pending.values()].some((l) => l.some((r) => r.requestId === requestId));
  }

  async settle(): Promise<void> {
    while (this.pending.size || this.inFlight.size) await sleep(100);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    await this.sub?.stop();
    await this.sender.close();
  }
}

export function permutations<T>(xs: readonly T[]): T[][] {
  if (xs.length <= 1) return [[...xs]];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}
