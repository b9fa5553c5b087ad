import type { EntityManager } from 'typeorm';
import { WouldWait } from '@mash/messaging';
import { IntakeLocks, LockSetGrew } from './intakeLocks';

/** More rounds than any family needs (each round adds keys); past it the message is retried. */
const MAX_ROUNDS = 12;

/**
 * Runs `work` holding the advisory locks for `initial`, growing the set as reads ask for more.
 * Every round takes all its locks at once in ascending lock-id order inside a savepoint, so two
 * intakes never wait on each other in a cycle; a round that finds it needs more rolls back to the
 * savepoint (its writes and its locks with it) and the next round takes the larger set from scratch.
 */
export async function underIntakeLocks<T>(
  m: EntityManager,
  initial: Iterable<string>,
  work: (locks: IntakeLocks) => Promise<T>,
  opts: { mayWait: boolean },
): Promise<T> {
  const keys = new Set(initial);
  for (let round = 1; ; round++) {
    await m.query(`SAVEPOINT triage_intake`);
    if (opts.mayWait) {
      await m.query(
        `SELECT pg_advisory_xact_lock(id) FROM (
           SELECT DISTINCT hashtextextended('triage:' || k, 0) AS id FROM unnest($1::text[]) AS k ORDER BY id OFFSET 0) AS ordered`,
        [[...keys]],
      );
    } else {
      // In a run after its first message: another intake holding one of these keys would make this
      // transaction wait while it holds the run's other locks. Step out instead: the run tries this
      // contact again at its end, or the next run starts with it (WouldWait).
      const [{ all }]: { all: boolean }[] = await m.query(
        `SELECT coalesce(bool_and(pg_try_advisory_xact_lock(id)), true) AS all FROM (
           SELECT DISTINCT hashtextextended('triage:' || k, 0) AS id FROM unnest($1::text[]) AS k ORDER BY id OFFSET 0) AS ordered`,
        [[...keys]],
      );
      if (!all) {
        // Released too: the run goes on after this message, and must not go on inside its savepoint.
        await m.query(`ROLLBACK TO SAVEPOINT triage_intake`);
        await m.query(`RELEASE SAVEPOINT triage_intake`);
        throw new WouldWait('an intake lock is held by another transaction');
      }
    }
    try {
      const out = await work(new IntakeLocks(keys, round));
      await m.query(`RELEASE SAVEPOINT triage_intake`);
      return out;
    } catch (err) {
      if (!(err instanceof LockSetGrew) || round >= MAX_ROUNDS) throw err;
      await m.query(`ROLLBACK TO SAVEPOINT triage_intake`);
      for (const k of err.missing) keys.add(k);
    }
  }
}
