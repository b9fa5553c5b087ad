/**
 * Audited transactions per second, one chain against the split into several (docs/architecture.md,
 * "Several chains, one per writer at a time"), measured in the same run on the same server.
 *
 * Each writer is a connection of its own running transactions as a service's handler does: BEGIN,
 * one row of its own table, its disclosure as the last statement, then COMMIT. `--think` milliseconds
 * pass between the disclosure and the COMMIT, which is what a busy service's event loop adds to
 * that round trip; under one chain the chain's lock is held across it. Every chain is verified at
 * the end, so a fast result that broke the chain would fail the run.
 *
 *   npm run build && node scripts/launch.js bench/auditChains [--writers 10] [--seconds 10] [--think 0,2]
 * Uses DATABASE_URL's server with a throwaway database mash_bench_audit_<pid> (dropped at the end).
 */
import { Client } from 'pg';
import {
  createDatabase,
  databaseUrl,
  disclosureAuditChainsMigration,
  disclosureAuditMigration,
  dropDatabase,
  recordDisclosure,
  verifyChain,
} from '@mash/platform';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
}
const positive = (name: string, v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number of 0 or more, got '${v}'`);
  return n;
};
const WRITERS = positive('writers', flag('writers', '10'));
const SECONDS = positive('seconds', flag('seconds', '10'));
const THINKS = flag('think', '0,2')
  .split(',')
  .map((v) => positive('think', v));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function connect(url: string): Promise<Client> {
  const c = new Client({ connectionString: url });
  await c.connect();
  return c;
}

/** One round: `WRITERS` connections writing for `SECONDS`; audited transactions committed per second. */
async function round(db: Client, url: string, schema: string, thinkMs: number): Promise<{ perSecond: number; chains: number }> {
  const clients = await Promise.all(Array.from({ length: WRITERS }, () => connect(url)));
  let committed = 0;
  const until = Date.now() + SECONDS * 1000;
  await Promise.all(
    clients.map(async (c, w) => {
      for (let i = 0; Date.now() < until; i++) {
        await c.query('BEGIN');
        await c.query(`INSERT INTO "${schema}".work (writer, n) VALUES ($1, $2)`, [w, i]);
        await recordDisclosure(c, schema, { principal: `writer-${w}`, action: 'read-case', caseId: `C-${w}-${i}`, detail: { i } });
        if (thinkMs > 0) await sleep(thinkMs);
        await c.query('COMMIT');
        committed++;
      }
    }),
  );
  await Promise.all(clients.map((c) => c.end()));
  const v = await verifyChain(db, schema);
  if (!v.ok) throw new Error(`${schema}: chain broken after the round: ${JSON.stringify(v.firstProblem)}`);
  if (v.rows !== committed) throw new Error(`${schema}: ${committed} committed but ${v.rows} rows chained`);
  return { perSecond: committed / SECONDS, chains: v.chains };
}

async function main(): Promise<void> {
  const dbName = `mash_bench_audit_${process.pid}`;
  const adminUrl = new URL(databaseUrl());
  adminUrl.pathname = '/postgres';
  const admin = await connect(adminUrl.toString());
  await createDatabase(admin, dbName);
  const url = new URL(databaseUrl());
  url.pathname = `/${dbName}`;
  const db = await connect(url.toString());
  try {
    const rows: string[] = [];
    for (const think of THINKS) {
      const results: Record<string, { perSecond: number; chains: number }> = {};
      for (const [label, split] of [
        ['one chain', false],
        ['16 chains', true],
      ] as const) {
        const schema = `audit_${split ? 'split' : 'one'}_${think}`.replace('.', '_');
        await db.query(`CREATE SCHEMA "${schema}"`);
        await db.query(`CREATE TABLE "${schema}".work (writer int, n int)`);
        for (const sql of disclosureAuditMigration(schema)) await db.query(sql);
        if (split) {
          await db.query('BEGIN');
          for (const sql of disclosureAuditChainsMigration(schema)) await db.query(sql);
          await db.query('COMMIT');
        } else {
          // The verifier reads the split's columns: give the one chain the column, not the trigger.
          await db.query(`ALTER TABLE "${schema}".disclosure_audit ADD COLUMN chain smallint NOT NULL DEFAULT 0`);
        }
        results[label] = await round(db, url.toString(), schema, think);
      }
      const one = results['one chain'];
      const split = results['16 chains'];
      rows.push(
        `| ${think} ms | ${one.perSecond.toFixed(0)} | ${split.perSecond.toFixed(0)} (${split.chains} chains used) | ${(split.perSecond / one.perSecond).toFixed(2)}x |`,
      );
    }
    process.stdout.write(
      [
        `audited transactions committed per second, ${WRITERS} writers, ${SECONDS} s a round, on ${url.host}`,
        '',
        '| between disclosure and COMMIT | one chain | 16 chains | ratio |',
        '| --- | --- | --- | --- |',
        ...rows,
        '',
      ].join('\n'),
    );
  } finally {
    await db.end();
    await dropDatabase(admin, dbName);
    await admin.end();
  }
}

main().catch((err) => {
  process.stderr.write(`bench auditChains failed: ${(err as Error).message}\n`);
  process.exit(1);
});
