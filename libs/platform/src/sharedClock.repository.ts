import { Client } from 'pg';
import { VIRTUAL_CLOCK_SQL } from './sharedClock';

/**
 * The simulator's virtual clock as a process reads it (mash_sim.clock) and acknowledges it
 * (mash_sim.clock_seen), on the process's own listening connection (docs/simulation.md).
 */
export const virtualClockRows = {
  async listen(client: Client, channel: string): Promise<void> {
    await client.query(`LISTEN ${channel}`);
  },

  /** The virtual time the simulator has set; undefined before it sets one. */
  async current(client: Client): Promise<Date | undefined> {
    const { rows } = await client.query<{ at: Date }>('SELECT at FROM mash_sim.clock');
    return rows[0]?.at;
  },

  /** Records that `process` has read `at`; an acknowledgement never moves back. */
  async acknowledge(client: Client, process: string, at: Date): Promise<void> {
    await client.query(
      `INSERT INTO mash_sim.clock_seen (process, at) VALUES ($1, $2) ON CONFLICT (process) DO UPDATE SET at = greatest(mash_sim.clock_seen.at, EXCLUDED.at)`,
      [process, at],
    );
  },

  /** The simulator's side: makes mash_sim (VIRTUAL_CLOCK_SQL) and sets its first time. */
  async install(client: Client, start: Date): Promise<void> {
    await client.query(VIRTUAL_CLOCK_SQL);
    await client.query(`INSERT INTO mash_sim.clock (at) VALUES ($1) ON CONFLICT (one) DO UPDATE SET at = EXCLUDED.at`, [start]);
  },

  /** The simulator's side: moves the time and announces it on `channel`, in one transaction. */
  async advance(client: Client, to: Date, channel: string): Promise<void> {
    await client.query('BEGIN');
    await client.query('UPDATE mash_sim.clock SET at = $1', [to]);
    await client.query(`SELECT pg_notify($1, $2)`, [channel, to.toISOString()]);
    await client.query('COMMIT');
  },

  /** How many of `processes` have acknowledged `to` or later. */
  async seenBy(client: Client, processes: readonly string[], to: Date): Promise<number> {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM mash_sim.clock_seen WHERE process = ANY($1) AND at >= $2`,
      [processes, to],
    );
    return Number(rows[0]!.n);
  },
};
