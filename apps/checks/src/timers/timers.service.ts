import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CheckChased, TOPICS } from '@mash/contracts';
import { log, Outbox, Outgoing } from '@mash/messaging';
import { Ticker } from '@mash/platform';
import { CasesRepository } from '../cases/cases.repository';
import { chasedMessage, ChaseTimer } from '../chasing';
import { checksMetrics } from '../metrics';
import { PictureService } from '../picture/picture.service';
import { RequestsRepository } from '../requests/requests.repository';
import { now as hubNow, nowMs as hubNowMs } from '@mash/platform/clock';

export interface TimerLoopOptions {
  /** Longest sleep between looks at the table: bounds how late a timer created elsewhere fires. */
  pollMs: number;
  /** Sleep only until the next pending timer when it is sooner than pollMs. */
  wakeAtNextDue: boolean;
  batch: number;
}

export function timerLoopOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): TimerLoopOptions {
  return {
    pollMs: Number(env.MASH_TIMER_POLL_MS ?? 250),
    wakeAtNextDue: env.MASH_TIMER_WAKE !== 'poll',
    batch: Number(env.MASH_TIMER_BATCH ?? 500),
  };
}

/**
 * Fires due timers from Postgres. A batch is taken with FOR UPDATE SKIP LOCKED and marked fired in
 * the same transaction as the events it causes (written to the outbox): a crash before commit
 * fires it again later, a commit fires it once, and several replicas never fire the same timer.
 *
 * Reminders and escalations need no other row: a reply cancels its request's pending timers in
 * the reply's own transaction, so a pending timer is one whose agency has not replied. A case
 * deadline takes its case row with SKIP LOCKED: if a reply to that case is being handled right
 * now, the timer is left for the next look rather than waiting while holding the batch's locks.
 */
@Injectable()
export class TimersService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly ticker = new Ticker(
    'timer poll',
    () => this.tick(),
    () => this.options.pollMs,
  );
  readonly options: TimerLoopOptions;

  constructor(
    private readonly ds: DataSource,
    private readonly outbox: Outbox,
    private readonly picture: PictureService,
    private readonly cases: CasesRepository = new CasesRepository(),
    private readonly requests: RequestsRepository = new RequestsRepository(),
  ) {
    this.options = timerLoopOptionsFromEnv();
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  start(options: Partial<TimerLoopOptions> = {}): void {
    Object.assign(this.options, options);
    this.ticker.start();
  }

  /**
   * Fires what is due; then sleeps the poll interval, or less when the next timer is sooner. One
   * look, outside any transaction, says whether anything is due by the database's clock: most
   * looks find nothing, and then cost that one statement. What is due is taken and judged in
   * fireDue's own transaction, by a clock read there.
   */
  private async tick(): Promise<number> {
    const look = await this.requests.nextDue(this.ds.manager);
    let next = look.next;
    if (next && next <= look.now) {
      await this.fireDue();
      if (this.options.wakeAtNextDue) ({ next } = await this.requests.nextDue(this.ds.manager));
    }
    let sleep = this.options.pollMs;
    if (this.options.wakeAtNextDue && next) sleep = Math.max(5, Math.min(sleep, next.getTime() - hubNowMs()));
    return sleep;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  stop(): Promise<void> {
    return this.ticker.stop();
  }

  /**
   * Fires every timer due; returns how many fired. Each batch reads the database's clock in its
   * own transaction (a batch behind a slow one must not judge by a time read before it waited);
   * `at` (tests) stands in for that clock.
   */
  async fireDue(at?: Date): Promise<number> {
    let fired = 0;
    for (;;) {
      const { taken, done } = await this.ds.transaction(async (m) => {
        const due = await this.requests.takeDue(m, at, this.options.batch);
        if (due.length === 0) return { taken: 0, done: 0 };
        const firedIds: string[] = [];
        const firedAt = hubNow();

        // Readiness cancels a case's pending timers but skips those another replica holds right
        // then (waiting for them could deadlock two replicas): such a timer, met again here after
        // its case became ready, is cancelled, not fired.
        const chaseTimers = due.filter((x) => x.kind !== 'case-deadline');
        const readyCases = await this.cases.readyAmong(m, [...new Set(chaseTimers.map((t) => t.caseId))]);
        const cancelledIds = chaseTimers.filter((t) => readyCases.has(t.caseId)).map((t) => t.id);
        await this.requests.cancelTimers(m, cancelledIds);

        const chases: Outgoing<CheckChased>[] = [];
        for (const t of chaseTimers.filter((x) => !readyCases.has(x.caseId))) {
          if (!t.requestId || !t.agency || !t.dueAt) {
            log('error', 'chase timer without its request; marked fired', { timerId: t.id, caseId: t.caseId });
          } else {
            const timer: ChaseTimer = {
              kind: t.kind,
              fireAt: t.fireAt,
              caseId: t.caseId,
              requestId: t.requestId,
              agency: t.agency,
              dueAt: t.dueAt,
              key: t.key,
            };
            chases.push({ topic: TOPICS.checkChased, key: t.caseId, data: chasedMessage(timer, firedAt), correlationId: t.requestId });
            log('info', t.kind === 'escalation' ? 'missed reply escalated to MASH manager' : 'agency reminded', {
              caseId: t.caseId,
              agency: t.agency,
              lateByMs: firedAt.getTime() - t.fireAt.getTime(),
            });
          }
          firedIds.push(t.id);
        }
        await this.outbox.addMany(m, chases);

        const deadlines = due.filter((x) => x.kind === 'case-deadline');
        if (deadlines.length) {
          // Cases a reply holds right now are left for the next look rather than waited for while
          // this batch's timers are held.
          const cases = await this.cases.lockFree(
            m,
            deadlines.map((t) => t.caseId),
          );
          const locked = new Set(cases.map((c) => c.caseId));
          // A reply after the deadline declares the case ready itself before it is stored (see
          // RequestsService.collect), so judging at the deadline's instant counts exactly the
          // replies in by then. The case rows, and the time judged by, are read only now, under
          // their locks.
          await this.picture.declareReady(m, cases, at ?? (await this.cases.clock(m)));
          for (const t of deadlines) if (locked.has(t.caseId)) firedIds.push(t.id);
        }

        // declareReady cancels a ready case's pending timers, these among them: they fired.
        for (const t of await this.requests.markFired(m, firedIds)) {
          checksMetrics.timersFired.inc({ kind: t.kind });
          checksMetrics.timerLateness.observe(Math.max(0, firedAt.getTime() - t.fireAt.getTime()) / 1000);
        }
        return { taken: due.length, done: firedIds.length + cancelledIds.length };
      });
      fired += done;
      // A short batch is the last; a batch where nothing could fire (all its cases busy) is retried
      // on the next look, not spun on now.
      if (taken < this.options.batch || done === 0) break;
    }
    if (fired) this.outbox.nudge();
    return fired;
  }
}
