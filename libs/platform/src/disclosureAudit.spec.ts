import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import {
  chainHead,
  disclosuresLast,
  readDisclosures,
  recordDisclosure,
  recordDisclosures,
  verifyChain,
} from './disclosureAudit.repository';
import { disclosureAuditMigration } from './disclosureAudit.migration';

/**
 * The disclosure chain on a real Postgres (a database of its own): concurrent writers chain in one
 * line, the database refuses changes, and every edit a superuser can still make is found.
 */
const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `audit_spec_${randomBytes(4).toString('hex')}`;
const role = `audit_spec_role_${randomBytes(3).toString('hex')}`;
let pool: Pool;

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: baseUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

async function freshSchema(existing = false): Promise<string> {
  const schema = `s_${randomBytes(4).toString('hex')}`;
  await pool.query(`CREATE SCHEMA ${schema}`);
  if (existing) {
    // The gateway's table as it was before the chain: rows already in it.
    await pool.query(`CREATE TABLE ${schema}.disclosure_audit (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(),
      principal text NOT NULL, action text NOT NULL, case_id text, contact_id text, detail jsonb NOT NULL DEFAULT '{}')`);
    for (let i = 0; i < 5; i++) {
      await pool.query(`INSERT INTO ${schema}.disclosure_audit (principal, action, case_id) VALUES ('old', 'read-case', $1)`, [`C-${i}`]);
    }
  }
  for (const sql of disclosureAuditMigration(schema, { existing })) await pool.query(sql);
  return schema;
}

/** One disclosure in a transaction of its own, as a handler would write it. */
async function inTx(schema: string, i: number): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await recordDisclosure(c, schema, {
      principal: `p-${i % 3}`,
      action: 'check-requested',
      caseId: `C-${i % 7}`,
      detail: { agency: 'police', i },
    });
    await c.query('COMMIT');
  } finally {
    c.release();
  }
}

beforeAll(async () => {
  await admin((c) => c.query(`CREATE DATABASE "${dbName}"`));
  const url = new URL(baseUrl);
  url.pathname = `/${dbName}`;
  pool = new Pool({ connectionString: url.toString(), max: 12 });
  // Dropping the database at the end ends idle connections; that is not a test failure.
  pool.on('error', () => undefined);
});

afterAll(async () => {
  await pool.end();
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await c.query(`DROP ROLE IF EXISTS ${role}`);
  });
});

describe('disclosure audit chain', () => {
  it("holds a run's disclosures back to its last statements: other writers are not queued behind the run", async () => {
    const schema = await freshSchema();
    const run = await pool.connect();
    try {
      await run.query('BEGIN');
      let otherCommittedDuringRun = false;
      await disclosuresLast(run, async () => {
        await recordDisclosure(run, schema, { principal: 'connector', action: 'check-requested', caseId: 'C-1' });
        // Another transaction writes and commits while the run is still working: it must not wait
        // for the run's transaction (it would, if the run held the chain's lock from its first row).
        await Promise.race([inTx(schema, 99).then(() => (otherCommittedDuringRun = true)), new Promise((r) => setTimeout(r, 3000))]);
        await recordDisclosures(run, schema, [
          { principal: 'connector', action: 'check-requested', caseId: 'C-2' },
          { principal: 'connector', action: 'check-requested', caseId: 'C-3' },
        ]);
        // Nothing of the run is in the table yet, even seen from inside its own transaction.
        const mid = await run.query(`SELECT count(*)::int n FROM ${schema}.disclosure_audit WHERE principal = 'connector'`);
        expect(mid.rows[0].n).toBe(0);
      });
      await run.query('COMMIT');
      expect(otherCommittedDuringRun).toBe(true);
    } finally {
      run.release();
    }
    const rows = await readDisclosures(pool, schema, {});
    // The other writer first (it committed during the run), then the run's three in the order recorded.
    expect(rows.map((r) => [r.principal, r.caseId])).toEqual([
      ['p-0', 'C-1'],
      ['connector', 'C-1'],
      ['connector', 'C-2'],
      ['connector', 'C-3'],
    ]);
    expect((await verifyChain(pool, schema)).ok).toBe(true);
  });

  it('chains 60 writers committing in parallel into one unbroken line', async () => {
    const schema = await freshSchema();
    await Promise.all(Array.from({ length: 60 }, (_, i) => inTx(schema, i)));
    const v = await verifyChain(pool, schema);
    expect(v).toEqual({ schema, rows: 60, ok: true });
    const ids = (await pool.query(`SELECT id FROM ${schema}.disclosure_audit ORDER BY id`)).rows.map((r) => Number(r.id));
    expect(ids).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });

  it('several disclosures in one statement chain in the order given, also among parallel writers', async () => {
    const schema = await freshSchema();
    const batch = async (k: number) => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await recordDisclosures(
          c,
          schema,
          ['police', 'health', 'education'].map((agency, j) => ({
            principal: 'checks',
            action: 'check-requested',
            caseId: `C-${k}`,
            detail: { agency, j },
          })),
        );
        await c.query('COMMIT');
      } finally {
        c.release();
      }
    };
    await Promise.all([...Array.from({ length: 10 }, (_, k) => batch(k)), ...Array.from({ length: 10 }, (_, i) => inTx(schema, i))]);
    expect(await verifyChain(pool, schema)).toEqual({ schema, rows: 40, ok: true });
    const rows = (
      await pool.query(
        `SELECT id, case_id, detail FROM ${schema}.disclosure_audit WHERE action = 'check-requested' AND detail ? 'j' ORDER BY id`,
      )
    ).rows;
    expect(rows).toHaveLength(30);
    // Each batch's three rows sit next to each other, in the order given.
    for (let k = 0; k < 10; k++) {
      const mine = rows.filter((r) => r.case_id === `C-${k}`);
      expect(mine.map((r) => r.detail.agency)).toEqual(['police', 'health', 'education']);
      expect(Number(mine[2].id) - Number(mine[0].id)).toBe(2);
    }
    await expect(recordDisclosures(pool, schema, [])).resolves.toBeUndefined();
  });

  it('a writer whose transaction rolls back leaves no hole in the chain', async () => {
    const schema = await freshSchema();
    await inTx(schema, 1);
    const c = await pool.connect();
    await c.query('BEGIN');
    await recordDisclosure(c, schema, { principal: 'p', action: 'read-case', caseId: 'C-x' });
    await c.query('ROLLBACK');
    c.release();
    await inTx(schema, 2);
    expect(await verifyChain(pool, schema)).toEqual({ schema, rows: 2, ok: true });
  });

  it('refuses UPDATE, DELETE and TRUNCATE from the table owner', async () => {
    const schema = await freshSchema();
    await inTx(schema, 1);
    await expect(pool.query(`UPDATE ${schema}.disclosure_audit SET principal = 'someone else'`)).rejects.toThrow(
      /append-only: UPDATE refused/,
    );
    await expect(pool.query(`DELETE FROM ${schema}.disclosure_audit`)).rejects.toThrow(/append-only: DELETE refused/);
    await expect(pool.query(`TRUNCATE ${schema}.disclosure_audit`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    expect((await pool.query(`SELECT count(*)::int AS n FROM ${schema}.disclosure_audit`)).rows[0].n).toBe(1);
  });

  it('a runtime role granted as the migration grants mash_service may insert and read, not update or delete', async () => {
    const schema = await freshSchema();
    await pool.query(`CREATE ROLE ${role}`);
    await pool.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}; GRANT SELECT, INSERT ON ${schema}.disclosure_audit TO ${role}`);
    const c = await pool.connect();
    try {
      await c.query(`SET ROLE ${role}`);
      await recordDisclosure(c, schema, { principal: 'svc', action: 'read-case', caseId: 'C-1' });
      await expect(c.query(`UPDATE ${schema}.disclosure_audit SET action = 'x'`)).rejects.toThrow(/permission denied/);
      await expect(c.query(`DELETE FROM ${schema}.disclosure_audit`)).rejects.toThrow(/permission denied/);
      await expect(c.query(`ALTER TABLE ${schema}.disclosure_audit DISABLE TRIGGER ALL`)).rejects.toThrow(/must be owner/);
    } finally {
      await c.query('RESET ROLE');
      c.release();
    }
    expect(await verifyChain(pool, schema)).toMatchObject({ ok: true, rows: 1 });
  });

  describe('what a superuser with the triggers disabled can do is found, first broken record named', () => {
    let schema: string;
    const tamper = async (sql: string) => {
      await pool.query(`ALTER TABLE ${schema}.disclosure_audit DISABLE TRIGGER USER`);
      try {
        await pool.query(sql);
      } finally {
        await pool.query(`ALTER TABLE ${schema}.disclosure_audit ENABLE TRIGGER USER`);
      }
    };
    beforeEach(async () => {
      schema = await freshSchema();
      for (let i = 0; i < 10; i++) await inTx(schema, i);
      expect((await verifyChain(pool, schema)).ok).toBe(true);
    });

    it('an edited row', async () => {
      await tamper(`UPDATE ${schema}.disclosure_audit SET detail = '{"agency":"health","i":4}' WHERE id = 5`);
      expect(await verifyChain(pool, schema)).toMatchObject({ ok: false, firstProblem: { kind: 'hash-mismatch', id: 5 } });
    });

    it('an edited row whose own hash was recomputed breaks the link to the next', async () => {
      await tamper(`UPDATE ${schema}.disclosure_audit a SET principal = 'nobody' WHERE id = 3`);
      await tamper(`UPDATE ${schema}.disclosure_audit a SET hash = encode(sha256(convert_to(jsonb_build_array(a.id,
        to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), a.principal, a.action, a.case_id, a.contact_id, a.detail, a.prev_hash)::text, 'UTF8')), 'hex') WHERE id = 3`);
      expect(await verifyChain(pool, schema)).toMatchObject({ ok: false, firstProblem: { kind: 'broken-link', id: 4 } });
    });

    it('a deleted row', async () => {
      await tamper(`DELETE FROM ${schema}.disclosure_audit WHERE id = 7`);
      expect(await verifyChain(pool, schema)).toMatchObject({ ok: false, firstProblem: { kind: 'gap', id: 8, expectedId: 7 } });
    });

    it('two rows swapped', async () => {
      await tamper(`UPDATE ${schema}.disclosure_audit SET id = -2 WHERE id = 2`);
      await tamper(`UPDATE ${schema}.disclosure_audit SET id = 2 WHERE id = 6`);
      await tamper(`UPDATE ${schema}.disclosure_audit SET id = 6 WHERE id = -2`);
      expect(await verifyChain(pool, schema)).toMatchObject({ ok: false, firstProblem: { kind: 'broken-link', id: 2 } });
    });

    it('a deleted tail, against a head published before', async () => {
      const head = await chainHead(pool, schema);
      expect(head).toMatchObject({ id: 10 });
      await tamper(`DELETE FROM ${schema}.disclosure_audit WHERE id >= 9`);
      expect(await verifyChain(pool, schema)).toMatchObject({ ok: true, rows: 8 });
      expect(await verifyChain(pool, schema, [head!])).toMatchObject({ ok: false, firstProblem: { kind: 'head-missing', id: 10 } });
    });
  });

  it('chains the rows an existing table already held, then goes on from them', async () => {
    const schema = await freshSchema(true);
    await inTx(schema, 1);
    await pool.query(`INSERT INTO ${schema}.disclosure_audit (principal, action) VALUES ('old-style writer', 'read-quarantine')`);
    expect(await verifyChain(pool, schema)).toEqual({ schema, rows: 7, ok: true });
    const ids = (await pool.query(`SELECT id FROM ${schema}.disclosure_audit ORDER BY id`)).rows.map((r) => Number(r.id));
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("reads one case's disclosures, or a period's, for an auditor", async () => {
    const schema = await freshSchema();
    for (let i = 0; i < 14; i++) await inTx(schema, i);
    const forCase = await readDisclosures(pool, schema, { caseId: 'C-3' });
    expect(forCase.map((r) => r.detail.i)).toEqual([3, 10]);
    expect(forCase.every((r) => r.caseId === 'C-3' && r.action === 'check-requested')).toBe(true);
    const all = await readDisclosures(pool, schema, { from: new Date(Date.now() - 60_000), to: new Date(Date.now() + 60_000) });
    expect(all).toHaveLength(14);
    expect(await readDisclosures(pool, schema, { to: new Date(Date.now() - 3_600_000) })).toHaveLength(0);
  });
});
