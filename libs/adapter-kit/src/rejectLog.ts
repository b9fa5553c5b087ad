import { createHash } from 'node:crypto';
import { appendFile, chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FieldError } from '@mash/contracts';
import { log } from '@mash/messaging/standalone';

const KEEP_BYTES = 256 * 1024;
const DAY = 24 * 3600 * 1000;

export interface RejectLogRetention {
  /** How long a refused record is kept (ADAPTER_REJECT_LOG_KEEP_DAYS, default 30 days). */
  keepMs: number;
  /** How often the log is pruned (ADAPTER_REJECT_LOG_PRUNE_INTERVAL_MS, default one hour). */
  intervalMs: number;
}

export const DEFAULT_REJECT_LOG_RETENTION: RejectLogRetention = { keepMs: 30 * DAY, intervalMs: 3_600_000 };

/** One prune of the log, as recorded in its purge audit (counts and times only, never content). */
export interface RejectLogPurge {
  at: string;
  cutoff: string;
  removed: number;
  kept: number;
  /** SHA-256 of the previous purge record's line: a deleted or edited purge record breaks the chain. */
  prev: string;
}

/**
 * Native records the adapter could not translate. They are NOT forwarded: the hub's contract is the
 * canonical contact, and a record that cannot become one is the agency's to fix in its own system.
 * They are kept here, inside the agency's boundary, so the agency's own ops can see what was refused
 * and why (the same promise the gateway's quarantine makes: nothing sent is silently lost). The
 * file holds personal data: owner-only permissions, never echoed to logs, and a real deployment
 * points ADAPTER_REJECT_LOG at the agency's protected storage (or `off` where the source system
 * already keeps its own failed-export queue). Entries go once they are older than the retention
 * (prune), and each prune is recorded, hash-chained, in `<file>.purges.jsonl` (docs/retention.md).
 */
export class RejectLog {
  /** Appends and prunes one at a time: a prune rewrites the file and must not lose an append. */
  private queue: Promise<unknown> = Promise.resolve();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly path: string | undefined,
    readonly retention: RejectLogRetention = DEFAULT_REJECT_LOG_RETENTION,
  ) {}

  get enabled(): boolean {
    return this.path !== undefined;
  }

  get purgeLogPath(): string | undefined {
    return this.path && `${this.path}.purges.jsonl`;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  keep(entry: { reason: string; errors: FieldError[]; raw: string; sender?: string }): Promise<void> {
    const path = this.path;
    if (!path) return Promise.resolve();
    return this.serial(async () => {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      const bytes = Buffer.byteLength(entry.raw, 'utf8');
      const line = JSON.stringify({
        at: new Date().toISOString(),
        reason: entry.reason,
        errors: entry.errors,
        rawBytes: bytes,
        truncated: bytes > KEEP_BYTES,
        raw: entry.raw.slice(0, KEEP_BYTES),
      });
      await appendFile(path, line + '\n', { mode: 0o600 });
      await chmod(path, 0o600).catch(() => undefined);
    });
  }

  /**
   * Removes every entry received before `now` minus the retention (and any line that cannot be
   * read, which could never be shown), by writing the survivors to a new file and renaming it over
   * the old one, so a crash leaves the old file or the new, never half of one. Records the purge.
   */
  prune(now: Date = new Date()): Promise<RejectLogPurge | null> {
    const path = this.path;
    if (!path) return Promise.resolve(null);
    return this.serial(async () => {
      const cutoff = new Date(now.getTime() - this.retention.keepMs);
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      const lines = text.split('\n').filter((l) => l.length > 0);
      const kept = lines.filter((l) => {
        try {
          const at = Date.parse((JSON.parse(l) as { at?: string }).at ?? '');
          return Number.isFinite(at) && at >= cutoff.getTime();
        } catch {
          return false;
        }
      });
      const removed = lines.length - kept.length;
      if (removed > 0) {
        const tmp = `${path}.${process.pid}.tmp`;
        await writeFile(tmp, kept.map((l) => l + '\n').join(''), { mode: 0o600 });
        await rename(tmp, path);
      }
      const purge: RejectLogPurge = {
        at: now.toISOString(),
        cutoff: cutoff.toISOString(),
        removed,
        kept: kept.length,
        prev: await this.lastPurgeHash(),
      };
      await appendFile(this.purgeLogPath!, JSON.stringify(purge) + '\n', { mode: 0o600 });
      if (removed > 0) log('info', 'adapter reject log pruned', { removed, kept: kept.length, cutoff: purge.cutoff });
      return purge;
    });
  }

  private async lastPurgeHash(): Promise<string> {
    try {
      const lines = (await readFile(this.purgeLogPath!, 'utf8')).split('\n').filter((l) => l.length > 0);
      return lines.length
        ? createHash('sha256')
            .update(lines[lines.length - 1], 'utf8')
            .digest('hex')
        : '';
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw err;
    }
  }

  startPruning(): void {
    if (!this.path || this.timer) return;
    const tick = () => {
      this.timer = setTimeout(() => {
        this.prune()
          .catch((err) => log('warn', 'adapter reject log prune failed', { error: (err as Error).message }))
          .finally(tick);
      }, this.retention.intervalMs);
      this.timer.unref();
    };
    tick();
  }

  stopPruning(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The reject log's retention from the environment. */
export function rejectLogRetentionFromEnv(env: NodeJS.ProcessEnv = process.env): RejectLogRetention {
  const days = Number(env.ADAPTER_REJECT_LOG_KEEP_DAYS ?? 30);
  if (!Number.isFinite(days) || days <= 0) throw new Error('ADAPTER_REJECT_LOG_KEEP_DAYS must be a positive number of days');
  const intervalMs = Number(env.ADAPTER_REJECT_LOG_PRUNE_INTERVAL_MS ?? 3_600_000);
  if (!Number.isFinite(intervalMs) || intervalMs <= 0)
    throw new Error('ADAPTER_REJECT_LOG_PRUNE_INTERVAL_MS must be a positive number of milliseconds');
  return { keepMs: days * DAY, intervalMs };
}
