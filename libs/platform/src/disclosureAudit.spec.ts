import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import {
  AUDIT_CHAINS,
  chainHeads,
  disclosuresLast,
  readDisclosures,
  recordDisclosure,
  recordDisclosures,
  verifyChain,
} from './disclosureAudit.repository';
import { disclosureAuditChainsMigration, disclosureAuditMigration } from './disclosureAudit.migration';

/**
 * The disclosure chains on a real Postgres (a database of its own): concurrent writers each take a
 * chain of their own and every chain runs in one line, the database refuses changes, and every edit
 * a superuser can still make is found.
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

/** A schema with the audit as a service's migrations leave it; `singleChain`: as it was before the split. */
async function freshSchema(existing = false, singleChain = false): Promise<string> {
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
  if (!singleChain) await splitIntoChains(schema);
  return schema;
}

async function splitIntoChains(schema: string): Promise<void> {
  const c = await pool.connect();
  try {
    // As TypeORM runs a migration: in one transaction.
    await c.query('BEGIN');
    for (const sql of disclosureAuditChainsMigration(schema)) await c.query(sql);
    await c.query('COMMIT');
  } finally {
    c.release();
  }
}

/** A transaction left open after writing one disclosure: it holds its chain until `end`. */
async function openWriter(schema: string, caseId: string): Promise<{ chain: number; end: (sql: 'COMMIT' | 'ROLLBACK') => Promise<void> }> {
  // A client of its own, not the pool's: there are more chains than the pool has connections.
  const url = new URL(baseUrl);
  url.pathname = `/${dbName}`;
  const c = new Client({ connectionString: url.toString() });
  await c.connect();
  await c.query('BEGIN');
  await recordDisclosure(c, schema, { principal: 'open', action: 'read-case', caseId });
  const { rows } = await c.query(`SELECT chain FROM ${schema}.disclosure_audit WHERE case_id = $1`, [caseId]);
  return {
    chain: rows[0].chain,
    end: async (sql) => {
      await c.query(sql);
      await c.end();
    },
  };
}

/** Each chain's ids, in order, by chain. */
async function idsByChain(schema: string): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  for (const r of (await pool.query(`SELECT chain, id FROM ${schema}.disclosure_audit ORDER BY chain, id`)).rows) {
    out.set(r.chain, [...(out.get(r.chain) ?? []), Number(r.id)]);
  }
  return out;
}

const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

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
        // for the run's transaction. (With several chains it would take another one either way;
        // the count below is what shows the run held its rows back.)
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
    expect(rows.filter((r) => r.principal === 'p-0').map((r) => r.caseId)).toEqual(['C-1']);
    // The run's three in the order recorded, one after another in one chain.
    const run3 = rows.filter((r) => r.principal === 'connector').sort((a, b) => a.id - b.id);
    expect(run3.map((r) => r.caseId)).toEqual(['C-1', 'C-2', 'C-3']);
    expect(new Set(run3.map((r) => r.chain)).size).toBe(1);
    expect(run3[2].id - run3[0].id).toBe(2);
    expect((await verifyChain(pool, schema)).ok).toBe(true);
  });

  it('a writer holding a chain open does not hold up another: the other takes a chain of its own', async () => {
    const schema = await freshSchema();
    const open = await openWriter(schema, 'C-open');
    try {
      // On one chain this waited for the open transaction's end, for ever here.
      const other = await Promise.race([inTx(schema, 1).then(() => 'committed'), new Promise((r) => setTimeout(() => r('waiting'), 3000))]);
      expect(other).toBe('committed');
      const [row] = (await pool.query(`SELECT chain, id FROM ${schema}.disclosure_audit WHERE principal = 'p-1'`)).rows;
      expect(row.chain).not.toBe(open.chain);
      expect(Number(row.id)).toBe(1);
    } finally {
      await open.end('COMMIT');
    }
    expect(await verifyChain(pool, schema)).toEqual({ schema, chains: 2, rows: 2, ok: true });
  });

  it('when every chain is held the next writer waits for one, then goes on in it', async () => {
    const schema = await freshSchema();
    const open = [];
    for (let i = 0; i < AUDIT_CHAINS; i++) open.push(await openWriter(schema, `C-open-${i}`));
    expect(new Set(open.map((o) => o.chain)).size).toBe(AUDIT_CHAINS);
    let waited = true;
    const late = inTx(schema, 7).then(() => (waited = false));
    await new Promise((r) => setTimeout(r, 500));
    expect(waited).toBe(true);
    // A rolled-back holder frees its chain too; every other holder commits.
    await open[0].end('ROLLBACK');
    for (const o of open.slice(1)) await o.end('COMMIT');
    await late;
    expect(await verifyChain(pool, schema)).toMatchObject({ schema, rows: AUDIT_CHAINS, ok: true });
    const chains = await idsByChain(schema);
    for (const ids of chains.values()) expect(ids).toEqual(upTo(ids.length));
    expect([...chains.values()].flat()).toHaveLength(AUDIT_CHAINS);
  });

  it("a client that names another's chain in the setting does not get it: the chain is taken only with its lock", async () => {
    const schema = await freshSchema();
    const open = await openWriter(schema, 'C-open');
    const c = await pool.connect();
    try {
      // For the whole session, as a pooled connection would keep it.
      await c.query(`SELECT set_config('mash_audit.${schema}', $1, false)`, [String(open.chain)]);
      const late = (async () => {
        await c.query('BEGIN');
        await recordDisclosure(c, schema, { principal: 'named', action: 'read-case', caseId: 'C-named' });
        await c.query('COMMIT');
        return 'committed';
      })();
      expect(await Promise.race([late, new Promise((r) => setTimeout(() => r('waiting'), 3000))])).toBe('committed');
    } finally {
      c.release();
      await open.end('COMMIT');
    }
    const [named] = (await pool.query(`SELECT chain, id FROM ${schema}.disclosure_audit WHERE principal = 'named'`)).rows;
    expect(named.chain).not.toBe(open.chain);
    expect(await verifyChain(pool, schema)).toMatchObject({ rows: 2, ok: true });
  });

  it('chains 60 writers committing in parallel into unbroken chains, several at once', async () => {
    const schema = await freshSchema();
    await Promise.all(Array.from({ length: 60 }, (_, i) => inTx(schema, i)));
    const v = await verifyChain(pool, schema);
    expect(v).toMatchObject({ schema, rows: 60, ok: true });
    const chains = await idsByChain(schema);
    expect(v.chains).toBe(chains.size);
    // Twelve connections write side by side, so more than one chain takes rows.
    expect(chains.size).toBeGreaterThan(1);
    for (const ids of chains.values()) expect(ids).toEqual(upTo(ids.length));
  });

  it('verifies chains longer than a page, across the page and chain boundaries, and finds a row edited past the first page', async () => {
    const schema = await freshSchema();
    // Two transactions open at once write 6,000 rows each in one statement: the second finds the
    // first's chain held, so two chains, each longer than a page of 5,000.
    const many = (tag: string) => Array.from({ length: 6000 }, (_, i) => ({ principal: tag, action: 'read-case', detail: { i } }));
    const c1 = await pool.connect();
    const c2 = await pool.connect();
    try {
      await c1.query('BEGIN');
      await c2.query('BEGIN');
      await recordDisclosures(c1, schema, many('a'));
      await recordDisclosures(c2, schema, many('b'));
      await c1.query('COMMIT');
      await c2.query('COMMIT');
    } finally {
      c1.release();
      c2.release();
    }
    const chains = await idsByChain(schema);
    expect([...chains.values()]).toEqual([upTo(6000), upTo(6000)]);
    expect(await verifyChain(pool, schema)).toEqual({ schema, chains: chains.size, rows: 12000, ok: true });
    const last = [...chains.keys()][1];
    await pool.query(`ALTER TABLE ${schema}.disclosure_audit DISABLE TRIGGER USER`);
    await pool.query(`UPDATE ${schema}.disclosure_audit SET action = 'edited' WHERE chain = $1 AND id = 5500`, [last]);
    await pool.query(`ALTER TABLE ${schema}.disclosure_audit ENABLE TRIGGER USER`);
    expect(await verifyChain(pool, schema)).toMatchObject({ ok: false, firstProblem: { kind: 'hash-mismatch', chain: last, id: 5500 } });
  });

  it('a transaction keeps to one chain across its statements', async () => {
    const schema = await freshSchema();
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      for (let i = 0; i < 3; i++) {
        await recordDisclosure(c, schema, { principal: 'one-tx', action: 'read-case', caseId: `C-${i}` });
        // Others commit in between, on whichever chains are free.
        await Promise.all([inTx(schema, i), inTx(schema, i + 3)]);
      }
      await c.query('COMMIT');
    } finally {
      c.release();
    }
    const mine = (await pool.query(`SELECT chain, id FROM ${schema}.disclosure_audit WHERE principal = 'one-tx' ORDER BY id`)).rows;
    expect(new Set(mine.map((r) => r.chain)).size).toBe(1);
    expect(mine.map((r) => Number(r.id) - Number(mine[0].id))).toEqual([0, 1, 2]);
    expect(await verifyChain(pool, schema)).toMatchObject({ rows: 9, ok: true });
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
    expect(await verifyChain(pool, schema)).toMatchObject({ schema, rows: 40, ok: true });
    const rows = (
      await pool.query(
        `SELECT chain, id, case_id, detail FROM ${schema}.disclosure_audit WHERE action = 'check-requested' AND detail ? 'j' ORDER BY id`,
      )
    ).rows;
    expect(rows).toHaveLength(30);
    // Each batch's three rows sit next to each other, in the order given.
    for (let k = 0; k < 10; k++) {
      const mine = rows.filter((r) => r.case_id === `C-${k}`);
      expect(mine.map((r) => r.detail.agency)).toEqual(['police', 'health', 'education']);
      expect(new Set(mine.map((r) => r.chain)).size).toBe(1);
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
    expect(await verifyChain(pool, schema)).toMatchObject({ schema, rows: 2, ok: true });
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
    /** The chain the ten rows went into: they are written on one connection, one after another. */
    let k: number;
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
      const c = await pool.connect();
      try {
        for (let i = 0; i < 10; i++)
          await recordDisclosure(c, schema, { principal: `p-${i % 3}`, action: 'check-requested', detail: { i } });
      } finally {
        c.release();
      }
      const chains = await idsByChain(schema);
      expect([...chains.values()]).toEqual([upTo(10)]);
      k = [...chains.keys()][0];
      expect(await verifyChain(pool, schema)).toMatchObject({ chains: 1, ok: true });
    });

    it('an edited row', async () => {
      await tamper(`UPDATE ${schema}.disclosure_audit SET detail = '{"agency":"health","i":4}' WHERE chain = ${k} AND id = 5`);
      expect(await verifyChain(pool, schema)).toMatchObject({ ok: false, firstProblem: { kind: 'hash-mismatch', chain: k, id: 5 } });
    });

    it('an edited row whose own hash was recomputed breaks the link to the next', async () => {
      await tamper(`UPDATE ${schema}.disclosure_audit a SET principal = 'nobody' WHERE chain = ${k} AND id = 3`);
      await tamper(`UPDATE ${schema}.disclosure_audit a SET hash = encode(sha256(convert_to(jsonb_build_array(a.id,
        to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), a.principal, a.action, a.case_id, a.contact_id, a.detail, a.prev_hash)::text, 'UTF8')), 'hex') WHERE chain = ${k} AND id = 3`);
      expect(await verifyChain(pool, schema)).toMatchObject({ ok: false, firstProblem: { kind: 'broken-link', chain: k, id: 4 } });
    });

    it('a deleted row', async () => {
      await tamper(`DELETE FROM ${schema}.disclosure_audit WHERE chain = ${k} AND id = 7`);
      expect(await verifyChain(pool, schema)).toMatchObject({ ok: false, firstProblem: { kind: 'gap', chain: k, id: 8, expectedId: 7 } });
    });

    it('two rows swapped', async () => {
      await tamper(`UPDATE ${schema}.disclosure_audit SET id = -2 WHERE chain = ${k} AND id = 2`);
      await tamper(`UPDATE ${schema}.disclosure_audit SET id = 2 WHERE chain = ${k} AND id = 6`);
      await tamper(`UPDATE ${schema}.disclosure_audit SET id = 6 WHERE chain = ${k} AND id = -2`);
      expect(await verifyChain(pool, schema)).toMatchObject({ ok: false, firstProblem: { kind: 'broken-link', chain: k, id: 2 } });
    });

    it('a row moved into another chain', async () => {
      const other = (k + 1) % AUDIT_CHAINS;
      await tamper(`UPDATE ${schema}.disclosure_audit SET chain = ${other}, id = 1 WHERE chain = ${k} AND id = 10`);
      // Its predecessor's hash goes with it, and a chain's first row follows nothing.
      expect(await verifyChain(pool, schema)).toMatchObject({ ok: false, firstProblem: { kind: 'broken-link', chain: other, id: 1 } });
    });

    it('a row written below the first chain', async () => {
      await tamper(`INSERT INTO ${schema}.disclosure_audit (chain, id, principal, action) VALUES (-1, 1, 'hidden', 'read-case')`);
      expect(await verifyChain(pool, schema)).toMatchObject({ ok: false, firstProblem: { kind: 'hash-mismatch', chain: -1, id: 1 } });
    });

    it('a deleted tail, against a head published before', async () => {
      const heads = await chainHeads(pool, schema);
      expect(heads).toEqual([{ schema, chain: k, id: 10, hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
      await tamper(`DELETE FROM ${schema}.disclosure_audit WHERE chain = ${k} AND id >= 9`);
      expect(await verifyChain(pool, schema)).toMatchObject({ ok: true, rows: 8 });
      expect(await verifyChain(pool, schema, heads)).toMatchObject({ ok: false, firstProblem: { kind: 'head-missing', chain: k, id: 10 } });
    });
  });

  it('chains the rows an existing table already held, then goes on from them', async () => {
    const schema = await freshSchema(true);
    expect(await idsByChain(schema)).toEqual(new Map([[0, upTo(5)]]));
    await inTx(schema, 1);
    await pool.query(`INSERT INTO ${schema}.disclosure_audit (principal, action) VALUES ('old-style writer', 'read-quarantine')`);
    expect(await verifyChain(pool, schema)).toMatchObject({ schema, rows: 7, ok: true });
    expect((await idsByChain(schema)).get(0)?.slice(0, 5)).toEqual(upTo(5));
  });

  it('splitting a chain keeps what it held: its rows are chain 0, and heads published before still verify', async () => {
    const schema = await freshSchema(false, true);
    for (let i = 0; i < 5; i++) await inTx(schema, i);
    // The head as it was published before the split: no chain named.
    const before = (await pool.query(`SELECT id::int, hash FROM ${schema}.disclosure_audit ORDER BY id DESC LIMIT 1`)).rows;
    expect(before).toEqual([{ id: 5, hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    await splitIntoChains(schema);
    const open = await openWriter(schema, 'C-open');
    await Promise.all([inTx(schema, 10), inTx(schema, 11)]);
    await open.end('COMMIT');
    expect(await verifyChain(pool, schema, before)).toMatchObject({ schema, rows: 8, ok: true });
    expect((await idsByChain(schema)).get(0)?.slice(0, 5)).toEqual(upTo(5));
    // And a tail deleted from the old chain is found against those heads.
    const c = await pool.connect();
    try {
      await c.query(`ALTER TABLE ${schema}.disclosure_audit DISABLE TRIGGER USER`);
      await c.query(`DELETE FROM ${schema}.disclosure_audit WHERE chain = 0 AND id >= 5`);
      await c.query(`ALTER TABLE ${schema}.disclosure_audit ENABLE TRIGGER USER`);
    } finally {
      c.release();
    }
    expect(await verifyChain(pool, schema, before)).toMatchObject({
      ok: false,
      firstProblem: { kind: 'head-missing', chain: null, id: 5 },
    });
  });

  it("a head naming no chain holds wherever its row is: an old replica's, published during the upgrade", async () => {
    const schema = await freshSchema();
    const c = await pool.connect();
    try {
      for (let i = 0; i < 3; i++) await recordDisclosure(c, schema, { principal: 'p', action: 'read-case', caseId: `C-${i}` });
    } finally {
      c.release();
    }
    // What the old publisher read from the new table: the row with the highest id, in whatever chain.
    const old = (await pool.query(`SELECT id::int, hash FROM ${schema}.disclosure_audit ORDER BY id DESC LIMIT 1`)).rows;
    const [{ chain }] = (await pool.query(`SELECT chain FROM ${schema}.disclosure_audit WHERE hash = $1`, [old[0].hash])).rows;
    expect(old[0].id).toBe(3);
    expect(await verifyChain(pool, schema, old)).toMatchObject({ ok: true, rows: 3 });
    await pool.query(`ALTER TABLE ${schema}.disclosure_audit DISABLE TRIGGER USER`);
    await pool.query(`DELETE FROM ${schema}.disclosure_audit WHERE chain = $1 AND id = 3`, [chain]);
    await pool.query(`ALTER TABLE ${schema}.disclosure_audit ENABLE TRIGGER USER`);
    expect(await verifyChain(pool, schema, old)).toMatchObject({ ok: false, firstProblem: { kind: 'head-missing', chain: null, id: 3 } });
  });

  it('two heads naming no chain at the same position are each checked: a deleted row behind either is found', async () => {
    const schema = await freshSchema();
    // Two writers open at once: two chains, each with its row at id 1.
    const a = await openWriter(schema, 'C-a');
    const b = await openWriter(schema, 'C-b');
    await a.end('COMMIT');
    await b.end('COMMIT');
    const hashOf = async (caseId: string) =>
      (await pool.query(`SELECT hash FROM ${schema}.disclosure_audit WHERE case_id = $1`, [caseId])).rows[0].hash as string;
    const heads = [
      { id: 1, hash: await hashOf('C-a') },
      { id: 1, hash: await hashOf('C-b') },
    ];
    expect(await verifyChain(pool, schema, heads)).toMatchObject({ ok: true, chains: 2 });
    await pool.query(`ALTER TABLE ${schema}.disclosure_audit DISABLE TRIGGER USER`);
    await pool.query(`DELETE FROM ${schema}.disclosure_audit WHERE case_id = 'C-a'`);
    await pool.query(`ALTER TABLE ${schema}.disclosure_audit ENABLE TRIGGER USER`);
    expect(await verifyChain(pool, schema, heads)).toMatchObject({
      ok: false,
      firstProblem: { kind: 'head-missing', chain: null, id: 1, hash: heads[0].hash },
    });
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
