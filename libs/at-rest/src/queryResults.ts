/**
 * Reading what a raw query answers, whichever client ran it: a TypeORM DataSource or EntityManager
 * answers a SELECT with its rows and an UPDATE or DELETE with `[rows, count]`; a pg Client answers
 * a result holding `rows` and `rowCount`. The lowest lib holds them so every repository reads
 * answers one way (the hub's libs all depend on this one; it depends on none of them).
 */

/** The rows a query answered. */
export function rowsOf<T = unknown>(res: unknown): T[] {
  return (Array.isArray(res) ? res : (res as { rows: T[] }).rows) as T[];
}

/** Rows an UPDATE or DELETE touched: TypeORM's `[rows, count]`, a plain row list, or pg's `rowCount`. */
export function affectedRows(res: unknown): number {
  if (Array.isArray(res) && res.length === 2 && typeof res[1] === 'number') return res[1];
  if (Array.isArray(res)) return res.length;
  if (res && typeof res === 'object' && 'rowCount' in res) return Number((res as { rowCount: number | null }).rowCount ?? 0);
  return 0;
}

/**
 * A write that another repository's statement runs as one of its parts (a data-modifying CTE), so
 * that writes owned by several repositories are one round trip. The owner builds it: its
 * placeholders numbered from `first`, and its rows written only where `when` (SQL over the host
 * statement's CTEs) holds.
 */
export type StatementPart = (first: number, when: string) => { sql: string; params: unknown[] };

/**
 * `parts` as data-modifying CTEs of a host statement (`, w0 AS (...), w1 AS (...)`, to follow the
 * host's own CTEs), their placeholders numbered after `params`, which is extended with theirs.
 */
export function partsAsCtes(params: unknown[], parts: StatementPart[], when: string): string {
  return parts
    .map((part, i) => {
      const { sql, params: own } = part(params.length + 1, when);
      params.push(...own);
      return `, w${i} AS (${sql})`;
    })
    .join('');
}
