import { Client } from 'pg';
import { Clock } from './clock';
import { virtualClockRows } from './sharedClock.repository';

/** The channel on which the simulator announces each new virtual time. */
export const CLOCK_CHANNEL = 'mash_clock';

/**
 * The virtual clock's home in the run's database. `mash_sim.now()` and `mash_sim.clock_timestamp()`
 * read the same row, and a simulated service's connections put `mash_sim` before `pg_catalog` on
 * their search path, so SQL that says now() or clock_timestamp() reads the virtual time too
 * without a change to any repository (docs/simulation.md).
 */
export const VIRTUAL_CLOCK_SQL = `
CREATE SCHEMA IF NOT EXISTS mash_sim;
CREATE TABLE IF NOT EXISTS mash_sim.clock (one boolean PRIMARY KEY DEFAULT true CHECK (one), at timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS mash_sim.clock_seen (process text PRIMARY KEY, at timestamptz NOT NULL);
CREATE OR REPLACE FUNCTION mash_sim.now() RETURNS timestamptz LANGUAGE sql STABLE AS 'SELECT at FROM mash_sim.clock';
CREATE OR REPLACE FUNCTION mash_sim.clock_timestamp() RETURNS timestamptz LANGUAGE sql VOLATILE AS 'SELECT at FROM mash_sim.clock';
CREATE OR REPLACE FUNCTION mash_sim.statement_timestamp() RETURNS timestamptz LANGUAGE sql STABLE AS 'SELECT at FROM mash_sim.clock';
CREATE OR REPLACE FUNCTION mash_sim.transaction_timestamp() RETURNS timestamptz LANGUAGE sql STABLE AS 'SELECT at FROM mash_sim.clock';
`;

/** The database URL a simulated process connects with: mash_sim's functions shadow pg_catalog's. */
export function virtualClockDatabaseUrl(url: string): string {
  const u = new URL(url);
  u.searchParams.set('options', '-c search_path=public,mash_sim,pg_catalog');
  return u.toString();
}

/**
 * A process's view of the simulator's virtual time: read once at start, then moved forward by each
 * NOTIFY on CLOCK_CHANNEL. Every move is acknowledged in mash_sim.clock_seen, so the simulator
 * lets nothing happen at a new time before every process reads that time. Time never goes back.
 */
export class SharedClock implements Clock {
  private at = 0;

  private constructor(
    private readonly client: Client,
    readonly process: string,
  ) {}

  static async connect(url: string, processName: string): Promise<SharedClock> {
    const client = new Client({ connectionString: url, application_name: `mash-clock-${processName}` });
    await client.connect();
    const clock = new SharedClock(client, processName);
    client.on('notification', (n) => {
      if (n.channel === CLOCK_CHANNEL && n.payload) void clock.moveTo(Date.parse(n.payload)).catch(() => undefined);
    });
    await virtualClockRows.listen(client, CLOCK_CHANNEL);
    const at = await virtualClockRows.current(client);
    if (!at) throw new Error('MASH_CLOCK=shared: mash_sim.clock holds no time (the simulator sets it before it starts services)');
    await clock.moveTo(at.getTime());
    return clock;
  }

  now(): Date {
    return new Date(this.at);
  }

  private async moveTo(ms: number): Promise<void> {
    if (!Number.isFinite(ms)) return;
    if (ms > this.at) this.at = ms;
    await virtualClockRows.acknowledge(this.client, this.process, new Date(this.at));
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

/**
 * The clock a service runs on: the system clock, or with MASH_CLOCK=shared the simulator's virtual
 * clock. Production mode refuses the virtual clock (a live hub must never run on simulated time).
 */
export async function clockFromEnv(env: NodeJS.ProcessEnv, url: string, processName: string): Promise<SharedClock | undefined> {
  const mode = env.MASH_CLOCK ?? 'system';
  if (mode === 'system') return undefined;
  if (mode !== 'shared') throw new Error(`MASH_CLOCK must be 'system' or 'shared' (got '${mode}')`);
  if (env.NODE_ENV === 'production')
    throw new Error('MASH_CLOCK=shared is refused in production mode (NODE_ENV=production): a live hub runs on the system clock');
  return SharedClock.connect(url, processName);
}
