import type { DataKeys } from './dataKeys';
import { SEALED_PREFIX } from './dataKeys';
import { affectedRows, rowsOf } from './queryResults';

/**
 * Where sealed values live: each service names its sealed columns once (its `sealedColumns`
 * list), and rotation walks exactly those. `json` columns are jsonb holding the sealed value as a
 * JSON string (so a retention-emptied '{}' stays a plain object and is never re-sealed).
 */
export interface SealedColumn {
  schema: string;
  table: string;
  column: string;
  /** Primary-key columns: which row to write back. */
  key: string[];
  json?: boolean;
  /**
   * A jsonb column whose object keeps its other keys plain (they are queried: a rating, a channel's
   * kind) and holds only this key's value sealed, as a JSON string of the sealed JSON value.
   */
  path?: string;
}

/** Anything with a pg-style `query` (a pg Client, a typeorm DataSource or EntityManager). */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** The column's text, or NULL for a value that is not sealed (empty jsonb, NULL). */
function sealedText(c: SealedColumn): string {
  if (c.path)
    return `(CASE WHEN jsonb_typeof(${ident(c.column)} -> ${lit(c.path)}) = 'string' THEN ${ident(c.column)} ->> ${lit(c.path)} END)`;
  return c.json ? `(CASE WHEN jsonb_typeof(${ident(c.column)}) = 'string' THEN ${ident(c.column)} #>> '{}' END)` : ident(c.column);
}

/**
 * Re-seals every value of the column that is not under the current key, in batches. Each write
 * names the old value it replaces, so a value a service changed meanwhile is left to the service
 * (it wrote under the current key anyway): services keep running while this runs. Returns how
 * many values were re-sealed.
 */
export async function resealColumn(db: Queryable, keys: DataKeys, c: SealedColumn, batch = 500): Promise<number> {
  const table = `${ident(c.schema)}.${ident(c.table)}`;
  const text = sealedText(c);
  const keyCols = c.key.map(ident).join(', ');
  let done = 0;
  // Rows are taken after the last key seen, so a value that keeps failing is not read forever.
  let after: string[] | undefined;
  for (;;) {
    const cursor = after ? `AND (${keyCols}) > (${c.key.map((_, i) => `$${i + 3}`).join(', ')})` : '';
    const rows = rowsOf(
      await db.query(
        `SELECT ${c.key.map((k, i) => `${ident(k)}::text AS k${i}`).join(', ')}, ${text} AS v FROM ${table}
        WHERE ${text} LIKE $1 AND ${text} NOT LIKE $2 ${cursor} ORDER BY ${keyCols} LIMIT ${Number(batch)}`,
        [`${SEALED_PREFIX}%`, `${SEALED_PREFIX}${keys.current}:%`, ...(after ?? [])],
      ),
    ) as Record<string, string>[];
    if (rows.length === 0) return done;
    for (const r of rows) {
      const next = keys.reseal(r.v);
      const where = c.key.map((k, i) => `${ident(k)}::text = $${i + 3}`).join(' AND ');
      const value = writeSql(c, '$1');
      const res = await db.query(`UPDATE ${table} SET ${ident(c.column)} = ${value} WHERE ${where} AND ${text} = $2`, [
        next,
        r.v,
        ...c.key.map((_, i) => r[`k${i}`]),
      ]);
      done += affectedRows(res);
    }
    after = c.key.map((_, i) => rows[rows.length - 1][`k${i}`]);
  }
}

/** How many values of the column are still sealed under a key other than the current one. */
export async function countStale(db: Queryable, keys: DataKeys, c: SealedColumn): Promise<number> {
  const text = sealedText(c);
  const rows = rowsOf(
    await db.query(`SELECT count(*)::int AS n FROM ${ident(c.schema)}.${ident(c.table)} WHERE ${text} LIKE $1 AND ${text} NOT LIKE $2`, [
      `${SEALED_PREFIX}%`,
      `${SEALED_PREFIX}${keys.current}:%`,
    ]),
  ) as { n: number }[];
  return rows[0].n;
}

/** Whether the column exists in this database (a service not deployed here has none of its tables). */
export async function columnExists(db: Queryable, c: SealedColumn): Promise<boolean> {
  return (
    rowsOf(
      await db.query(`SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = $3`, [
        c.schema,
        c.table,
        c.column,
      ]),
    ).length > 0
  );
}

/** SQL writing the sealed text `param` into the column (into its key, for a `path` column). */
function writeSql(c: SealedColumn, param: string): string {
  if (c.path) return `jsonb_set(${ident(c.column)}, ARRAY[${lit(c.path)}], to_jsonb(${param}::text))`;
  return c.json ? `to_jsonb(${param}::text)` : param;
}

/**
 * Seals every plain value of the column (a migration converting existing rows): text not yet
 * sealed and not retention's emptied '', jsonb that is not a string and not retention's empty
 * '{}' / '[]', or a `path` key (present, not null) not yet sealed. Returns how many.
 */
export async function sealPlainValues(db: Queryable, keys: DataKeys, c: SealedColumn, batch = 500): Promise<number> {
  const table = `${ident(c.schema)}.${ident(c.table)}`;
  const col = ident(c.column);
  const plain = c.path
    ? `jsonb_typeof(${col}) = 'object' AND ${col} ? ${lit(c.path)} AND (jsonb_typeof(${col} -> ${lit(c.path)}) NOT IN ('string', 'null') OR ${col} ->> ${lit(c.path)} NOT LIKE '${SEALED_PREFIX}%')`
    : c.json
      ? `jsonb_typeof(${col}) <> 'string' AND ${col} NOT IN ('{}'::jsonb, '[]'::jsonb, 'null'::jsonb)`
      : `${col} IS NOT NULL AND ${col} <> '' AND ${col} NOT LIKE '${SEALED_PREFIX}%'`;
  let done = 0;
  for (;;) {
    const rows = rowsOf(
      await db.query(
        `SELECT ${c.key.map((k, i) => `${ident(k)}::text AS k${i}`).join(', ')}, ${c.path ? `${col} -> ${lit(c.path)}` : col} AS v FROM ${table} WHERE ${plain} LIMIT ${Number(batch)}`,
      ),
    ) as Record<string, unknown>[];
    if (rows.length === 0) return done;
    for (const r of rows) {
      const sealed = c.json || c.path ? keys.sealJson(r.v) : keys.seal(String(r.v));
      const where = c.key.map((k, i) => `${ident(k)}::text = $${i + 2}`).join(' AND ');
      await db.query(`UPDATE ${table} SET ${col} = ${writeSql(c, '$1')} WHERE ${where}`, [sealed, ...c.key.map((_, i) => r[`k${i}`])]);
      done++;
    }
  }
}
