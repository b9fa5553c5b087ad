import { Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { CHECK_AGENCIES } from '@mash/contracts';
import { GroupLagReport, KafkaPort, LagTracker, log, readGroupOffsets } from '@mash/messaging';
import { Leadership, Ticker } from '@mash/platform';
import { DataSource } from 'typeorm';
import { LagSnapshotRepository } from './lagSnapshot.repository';
import { registerLagMetrics } from './lag.metrics';

export interface LagOptions {
  intervalMs: number;
  /** Samples per partition window; window length = intervalMs x windowSize. */
  windowSize: number;
  /** Logical group names (the port adds the run's prefix). */
  groups: string[];
}

/** The hub's own services and every agency's connector, unless MASH_LAG_GROUPS names others. */
export const DEFAULT_LAG_GROUPS = ['gateway', 'triage', 'checks', 'notifier', ...CHECK_AGENCIES.map((a) => `connector-${a}`)];

export function lagOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): LagOptions {
  const seconds = Number(env.MASH_LAG_INTERVAL_SECONDS ?? 5);
  const windowSize = Number(env.MASH_LAG_WINDOW ?? 12);
  if (!(seconds > 0))
    throw new Error(`MASH_LAG_INTERVAL_SECONDS must be a positive number of seconds, not '${env.MASH_LAG_INTERVAL_SECONDS}'`);
  if (!(Number.isInteger(windowSize) && windowSize >= 2))
    throw new Error(`MASH_LAG_WINDOW must be a whole number of samples >= 2, not '${env.MASH_LAG_WINDOW}'`);
  const groups = env.MASH_LAG_GROUPS
    ? env.MASH_LAG_GROUPS.split(',')
        .map((g) => g.trim())
        .filter(Boolean)
    : DEFAULT_LAG_GROUPS;
  return { intervalMs: Math.round(seconds * 1000), windowSize, groups };
}

export interface LagSnapshot {
  sampledAt?: string;
  intervalSeconds: number;
  windowSamples: number;
  groups: GroupLagReport[];
  /** Groups the broker has no trace of and that were never seen subscribed: never ran, or offsets expired. */
  absentGroups: string[];
  /** Why the last sample failed, if it did (the previous figures are kept and go stale). */
  lastError?: string;
  /** Which replica sampled: this one, or another (one samples at a time; the others read its sample). */
  sampler?: 'this replica' | 'another replica';
}

/**
 * Samples every watched group's committed and end offsets on a timer and keeps the windows in
 * memory. Kept out of request handling: /v1/ops/lag and /metrics read the last sample and never
 * wait on the broker.
 */
@Injectable()
export class LagSampler implements OnApplicationBootstrap, OnModuleDestroy {
  readonly options = lagOptionsFromEnv();
  private readonly tracker = new LagTracker(this.options.windowSize);
  private readonly ticker = new Ticker(
    'lag sample',
    () => this.tick(),
    () => this.options.intervalMs,
  );
  private sampledAt?: number;
  private absent: string[] = [];
  private lastError?: string;
  /** Topics each group subscribes to, kept after its members leave (a stopped group still owes them). */
  private readonly subscriptions = new Map<string, Set<string>>();

  private readonly leadership: Leadership;
  /** The sampling replica's last snapshot, while this one is not sampling. */
  private shared?: LagSnapshot;
  private leading = false;

  constructor(
    private readonly port: KafkaPort,
    dataSource: DataSource,
    private readonly snapshots: LagSnapshotRepository,
  ) {
    this.leadership = new Leadership(dataSource, 'gateway-lag-sampler');
  }

  onApplicationBootstrap(): void {
    registerLagMetrics(() => this.snapshot());
    this.ticker.start();
  }

  async onModuleDestroy(): Promise<void> {
    // Before the port closes (ServiceLifecycle): a sample in flight must not hit a closed admin client.
    await this.ticker.stop();
    await this.leadership.resign();
  }

  /**
   * One tick: the replica holding the lag-sampler lock samples the broker and shares its snapshot
   * in Postgres; every other replica reads that snapshot, so every gateway answers /v1/ops/lag and
   * /metrics alike while the broker is asked once per interval, not once per replica.
   */
  private async tick(): Promise<void> {
    this.leading = await this.leadership.isLeader();
    if (this.leading) {
      await this.sample();
      await this.snapshots.write(this.snapshot()).catch((err) => log('warn', 'lag snapshot not shared', { error: (err as Error).name }));
      return;
    }
    this.shared = await this.snapshots.read();
  }

  /** One round over every group. Public so a test or an operator action can force a sample. */
  async sample(): Promise<void> {
    const at = Date.now();
    try {
      const absent: string[] = [];
      for (const g of await readGroupOffsets(this.port, this.options.groups, this.subscriptions)) {
        if (!g.found) {
          absent.push(g.group);
          this.tracker.forget(g.group);
          continue;
        }
        this.tracker.record(g.group, at, g.observations, g.consumersActive);
      }
      this.absent = absent;
      this.sampledAt = at;
      this.lastError = undefined;
    } catch (err) {
      // The broker being away is itself visible on /health/ready; here we keep the last figures.
      this.lastError = String((err as Error).message ?? err).slice(0, 300);
      log('warn', 'consumer lag sample failed', { error: this.lastError });
    }
  }

  snapshot(): LagSnapshot {
    if (!this.leading && this.shared) return { ...this.shared, sampler: 'another replica' };
    const now = Date.now();
    return {
      ...(this.sampledAt ? { sampledAt: new Date(this.sampledAt).toISOString() } : {}),
      intervalSeconds: this.options.intervalMs / 1000,
      windowSamples: this.options.windowSize,
      groups: this.options.groups.map((g) => this.tracker.report(g, now)).filter((r): r is GroupLagReport => r !== undefined),
      absentGroups: this.absent,
      ...(this.lastError ? { lastError: this.lastError } : {}),
      sampler: 'this replica',
    };
  }
}
