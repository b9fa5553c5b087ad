import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CheckAgency, CheckChased, TOPICS } from '@mash/contracts';
import { log, Outbox, Outgoing } from '@mash/messaging';
import { Ticker } from '@mash/platform';
import { chasedMessage, ChaseTimer, TimerKind } from '../chasing';
import { checksMetrics } from '../metrics';
import { PictureService } from '../picture/picture.service';

interface DueTimer {
  id: string;
  key: string;
  case_id: string;
  request_id: string | null;
  agency: CheckAgency | null;
  kind: TimerKind;
  fire_at: Date;
  due_at: Date | null;
}

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
  private readonly ticker = new Ticker('timer poll', () => this.tick(), () => this.options.pollMs);
  readonly options: TimerLoopOptions;

  constructor(
    private readonly ds: DataSource,
    private readonly outbox: Outbox,
    private readonly picture: PictureService,
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

  /** Fires what is due; then sleeps the poll interval, or less when the next timer is sooner. */
  private async tick(): Promise<number> {
    await this.fireDue();
    let sleep = this.options.pollMs;
    if (this.options.wakeAtNextDue) {
      const [{ next }] = await this.ds.query(`SELECT min(fire_at) AS next FROM checks.timers WHERE fired_at IS NULL AND cancelled_at IS NULL`);
      if (next) sleep = Math.max(5, Math.min(sleep, new Date(next).getTime() - Date.now()));
    }
    return sleep;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  stop(): Promise<void> {
    return this.ticker.stop();
  }

  /** Fires every timer due by `now`; returns how many fired. */
  async fireDue(now = new Date()): Promise<number> {
    let fired = 0;
    for (;;) {
      const { taken, done } = await this.ds.transaction(async (m) => {
        const due: DueTimer[] = await m.query(
          `SELECT id, key, case_id, request_id, agency, kind, fire_at, due_at FROM checks.timers
           WHERE fired_at IS NULL AND cancelled_at IS NULL AND fire_at <= $1 ORDER BY fire_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [now, this.options.batch],
        );
        if (due.length === 0) return { taken: 0, done: 0 };
        const firedIds: string[] = [];
        const firedAt = new Date();

        const chases: Outgoing<CheckChased>[] = [];
        for (const t of due.filter((x) => x.kind !== 'case-deadline')) {
          if (!t.request_id || !t.agency || !t.due_at) {
            log('error', 'chase timer without its request; marked fired', { timerId: t.id, caseId: t.case_id });
          } else {
            const timer: ChaseTimer = { kind: t.kind, fireAt: t.fire_at, caseId: t.case_id, requestId: t.request_id, agency: t.agency, dueAt: new Date(t.due_at), key: t.key };
            chases.push({ topic: TOPICS.checkChased, key: t.case_id, data: chasedMessage(timer, firedAt), correlationId: t.request_id });
            log('info', t.kind === 'escalation' ? 'missed reply escalated to MASH manager' : 'agency reminded', { caseId: t.case_id, agency: t.agency, lateByMs: firedAt.getTime() - new Date(t.fire_at).getTime() });
          }
          firedIds.push(t.id);
        }
        await this.outbox.addMany(m, chases);

        const deadlines = due.filter((x) => x.kind === 'case-deadline');
        if (deadlines.length) {
          const cases: { case_id: string; deadline: Date; ready_at: Date | null; revision: number }[] = await m.query(
            `SELECT case_id, deadline, ready_at, revision FROM checks.cases WHERE case_id = ANY($1) FOR UPDATE SKIP LOCKED`,
            [deadlines.map((t) => t.case_id)],
          );
          const locked = new Set(cases.map((c) => c.case_id));
          // A reply after the deadline declares the case ready itself before it is stored (see
          // RequestsService.collect), so judging at `now` counts exactly the replies in by the deadline.
          await this.picture.declareReady(m, cases.filter((c) => c.ready_at === null), now);
          for (const t of deadlines) if (locked.has(t.case_id)) firedIds.push(t.id);
        }

        // declareReady cancels a ready case's pending timers, these among them: they fired.
        // TypeORM answers an UPDATE ... RETURNING with [rows, count].
        const [marked]: [{ id: string; kind: TimerKind; fire_at: Date }[], number] = await m.query(
          `UPDATE checks.timers SET fired_at = clock_timestamp(), cancelled_at = NULL WHERE id = ANY($1::bigint[]) RETURNING id, kind, fire_at`,
          [firedIds],
        );
        for (const t of marked) {
          checksMetrics.timersFired.inc({ kind: t.kind });
          checksMetrics.timerLateness.observe(Math.max(0, firedAt.getTime() - new Date(t.fire_at).getTime()) / 1000);
        }
        return { taken: due.length, done: firedIds.length };
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
