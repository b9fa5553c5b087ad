import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CheckAgency, CheckChased, TOPICS } from '@mash/contracts';
import { log, Outbox } from '@mash/messaging';
import { RequestsService } from '../requests/requests.service';

/**
 * Fires due timers from Postgres. Each timer is taken with FOR UPDATE SKIP LOCKED and marked fired
 * in the same transaction as the events it causes: a crash before commit fires it again later, a
 * commit fires it once, and several replicas never fire the same timer.
 */
@Injectable()
export class TimersService implements OnApplicationBootstrap, OnApplicationShutdown {
  private handle?: NodeJS.Timeout;
  private stopped = false;
  private busy?: Promise<number>;

  constructor(
    private readonly ds: DataSource,
    private readonly outbox: Outbox,
    private readonly requests: RequestsService,
  ) {}

  onApplicationBootstrap(): void {
    const every = Number(process.env.MASH_TIMER_POLL_MS ?? 250);
    const loop = async () => {
      if (this.stopped) return;
      this.busy = this.fireDue().catch((err) => {
        log('warn', 'timer poll failed', { error: (err as Error).message });
        return 0;
      });
      await this.busy;
      if (!this.stopped) this.handle = setTimeout(loop, every);
    };
    this.handle = setTimeout(loop, every);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.handle) clearTimeout(this.handle);
    await this.busy;
  }

  /** Fires every timer due by `now`; returns how many fired. */
  async fireDue(now = new Date(), batch = 200): Promise<number> {
    let fired = 0;
    for (;;) {
      const n = await this.ds.transaction(async (m) => {
        const due: { id: string; case_id: string; request_id: string | null; kind: string; fire_at: Date }[] = await m.query(
          `SELECT id, case_id, request_id, kind, fire_at FROM checks.timers
           WHERE fired_at IS NULL AND cancelled_at IS NULL AND fire_at <= $1 ORDER BY fire_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [now, batch],
        );
        for (const t of due) {
          if (t.kind === 'case-deadline') {
            const [c] = await m.query(`SELECT ready_at FROM checks.cases WHERE case_id = $1 FOR UPDATE`, [t.case_id]);
            if (!c.ready_at) await this.requests.declareReady(m, t.case_id, 'deadline-reached');
          } else {
            const [r] = await m.query(`SELECT agency, due_at, replied_at FROM checks.requests WHERE request_id = $1`, [t.request_id]);
            if (!r.replied_at) {
              const chase: CheckChased = { caseId: t.case_id, requestId: t.request_id!, agency: r.agency as CheckAgency, kind: t.kind as CheckChased['kind'], at: new Date().toISOString(), dueAt: new Date(r.due_at).toISOString() };
              await this.outbox.add(m, { topic: TOPICS.checkChased, key: t.case_id, data: chase });
              log('info', t.kind === 'escalation' ? 'missed reply escalated to MASH manager' : 'agency reminded', { caseId: t.case_id, agency: r.agency, lateByMs: now.getTime() - new Date(t.fire_at).getTime() });
            }
          }
          await m.query(`UPDATE checks.timers SET fired_at = now() WHERE id = $1`, [t.id]);
        }
        return due.length;
      });
      fired += n;
      if (n < batch) break;
    }
    if (fired) this.outbox.nudge();
    return fired;
  }
}
