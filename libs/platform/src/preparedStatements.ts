/* eslint-disable mash/sql-lives-in-repositories -- the driver under every repository: it passes their statements on and writes none */
import { Client, QueryConfig } from 'pg';

/**
 * How many distinct statement texts a process prepares. The hub's services send a hundred or two;
 * a text built from data (a list spelled out placeholder by placeholder) would otherwise make a
 * prepared statement on every connection for every length it is seen at, each holding server memory.
 */
export const MAX_PREPARED_TEXTS = 400;

const names = new Map<string, string>();
/** Texts whose prepared plan went stale under a migration in this process: sent unprepared from then on. */
const stale = new Set<string>();

/** Postgres refuses to run a prepared statement whose result columns a migration changed (SQLSTATE 0A000). */
export function isStalePlan(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === '0A000' && /cached plan must not change result type/.test(e.message ?? '');
}

/** The name a parameterised statement is prepared under, or undefined to send it unprepared. */
export function preparedNameOf(text: string): string | undefined {
  if (stale.has(text)) return undefined;
  let name = names.get(text);
  if (name === undefined) {
    if (names.size >= MAX_PREPARED_TEXTS) return undefined;
    name = `mash_${names.size + 1}`;
    names.set(text, name);
  }
  return name;
}

/**
 * A pg client that prepares each parameterised statement once per connection and from then on
 * only binds and runs it. An unnamed statement is parsed, analysed and planned by Postgres on
 * every execution: measured on the hub's statements that was about 45% of the server's CPU per
 * statement, and Postgres is the largest single user of the machine in a burst
 * (docs/architecture.md "Prepared statements"). Statements without parameters (BEGIN, COMMIT, DDL)
 * keep the simple protocol.
 *
 * A migration that changes the columns a prepared SELECT returns makes Postgres refuse it on every
 * connection that prepared it before (a rolling upgrade). The text is then sent unprepared by this
 * process for good, and the one failure is a transient error the messaging layer retries without
 * counting it against the message (isInfrastructureError).
 */
export class PreparingClient extends Client {
  override query(...args: unknown[]): never {
    const [text, values, callback] = args;
    // With a callback (pg's Pool.query; TypeORM never passes one) the statement goes as it came.
    if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0 || callback !== undefined)
      return (super.query as (...a: unknown[]) => never)(...args);
    const name = preparedNameOf(text);
    if (!name) return super.query(text, values) as never;
    const config: QueryConfig = { name, text, values };
    return (super.query(config) as Promise<unknown>).catch((err: unknown) => {
      if (isStalePlan(err)) stale.add(text);
      throw err;
    }) as never;
  }
}
