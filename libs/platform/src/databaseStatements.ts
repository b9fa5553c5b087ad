import { Counter } from 'prom-client';
import type { Logger } from 'typeorm';

/**
 * Statements a service sends to Postgres. Each costs a round trip and CPU on both sides, so how
 * many a message takes is the first thing to read when throughput falls (docs/observability.md
 * "Database statements"; bench:e2e prints them per contact).
 */
export const databaseStatements = new Counter({
  name: 'mash_db_statements_total',
  help: 'Statements sent to Postgres, by kind (select, insert, update, delete, transaction, other).',
  labelNames: ['kind'],
});

const KINDS: Record<string, string> = {
  select: 'select',
  insert: 'insert',
  update: 'update',
  delete: 'delete',
  start: 'transaction',
  begin: 'transaction',
  commit: 'transaction',
  rollback: 'transaction',
  savepoint: 'transaction',
  release: 'transaction',
};

/** The kind of a statement from its first word; a CTE (WITH) is 'other', it may read or write. */
export function statementKind(sql: string): string {
  const word = /^\s*([a-z]+)/i.exec(sql)?.[1]?.toLowerCase() ?? '';
  return KINDS[word] ?? 'other';
}

/**
 * TypeORM hands every statement to its logger, whatever the logging option, so counting here sees
 * them all; it writes nothing (statements carry case data, and logs carry none).
 */
export const statementCounter: Logger = {
  logQuery: (sql) => databaseStatements.inc({ kind: statementKind(sql) }),
  logQueryError: () => undefined,
  logQuerySlow: () => undefined,
  logSchemaBuild: () => undefined,
  logMigration: () => undefined,
  log: () => undefined,
};
