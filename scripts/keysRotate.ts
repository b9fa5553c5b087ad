import { Client } from 'pg';
import { columnExists, countStale, DataKeys, dataKeysFromEnv, resealColumn, SealedColumn } from '@mash/at-rest';
import { databaseUrl } from '@mash/platform';
import { CHECKS_SEALED } from '../apps/checks/src/sealedColumns';
import { GATEWAY_SEALED } from '../apps/gateway/src/sealedColumns';
import { NOTIFIER_SEALED } from '../apps/notifier/src/sealedColumns';
import { TRIAGE_SEALED } from '../apps/triage/src/sealedColumns';

/**
 * `npm run keys:rotate` (docs/architecture.md, "Encryption at rest"): re-seals every sealed value
 * in every service's tables and outbox under MASH_DATA_KEY_CURRENT. Run it after adding the new key
 * to MASH_DATA_KEYS and making it current in every service (they then write under it and still
 * open the old one); once it reports nothing left under an old key, the old key can be removed.
 * Services keep running meanwhile: each write names the value it replaces.
 *
 * Exit status: 0 when nothing is left under an old key, 1 otherwise.
 */

const SERVICE_SCHEMAS = ['gateway', 'triage', 'checks', 'notifier'];

export function sealedColumns(): SealedColumn[] {
  const outboxes = SERVICE_SCHEMAS.map((schema): SealedColumn => ({ schema, table: 'outbox', column: 'value', key: ['seq'], json: true }));
  const deferred = SERVICE_SCHEMAS.map((schema): SealedColumn => ({
    schema,
    table: 'deferred_messages',
    column: 'envelope',
    key: ['consumer', 'message_id'],
    json: true,
  }));
  return [...GATEWAY_SEALED, ...TRIAGE_SEALED, ...CHECKS_SEALED, ...NOTIFIER_SEALED, ...outboxes, ...deferred];
}

export interface Rotation {
  column: string;
  resealed: number;
  stale: number;
}

/** Re-seals every column that exists in this database (a service not deployed here is skipped). */
export async function rotateKeys(pg: Client, keys: DataKeys, columns: SealedColumn[] = sealedColumns()): Promise<Rotation[]> {
  const out: Rotation[] = [];
  for (const c of columns) {
    if (!(await columnExists(pg, c))) continue;
    const resealed = await resealColumn(pg, keys, c);
    out.push({ column: `${c.schema}.${c.table}.${c.column}`, resealed, stale: await countStale(pg, keys, c) });
  }
  return out;
}

async function main() {
  const keys = dataKeysFromEnv(process.env);
  const pg = new Client({ connectionString: databaseUrl() });
  await pg.connect();
  try {
    const result = await rotateKeys(pg, keys);
    for (const r of result) process.stdout.write(`${r.column}: re-sealed ${r.resealed}, left under an old key ${r.stale}\n`);
    const stale = result.reduce((n, r) => n + r.stale, 0);
    process.stdout.write(
      stale ? `${stale} values still under an old key: run again\n` : `every value is sealed under key '${keys.current}'\n`,
    );
    process.exitCode = stale ? 1 : 0;
  } finally {
    await pg.end();
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`keys:rotate failed: ${(err as Error).message}\n`);
    process.exitCode = 1;
  });
}
