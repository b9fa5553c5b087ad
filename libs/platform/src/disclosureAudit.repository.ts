import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { rowsOf, StatementPart } from '@mash/at-rest';

/**
 * The disclosure audit: who saw or shared what about a case, when and on what basis
 * (docs/architecture.md, "Trust boundary and data"). Each service keeps its own `<schema>.disclosure_audit`,
 * written in the same transaction as the disclosure it records, and each is a hash chain: a row
 * carries the hash of the row before it, so an edited, deleted or reordered row breaks the chain at
 * that row. A schema's audit is several such chains, so that concurrent writers do not queue on one
 * lock: a transaction takes a chain no other open transaction holds and keeps it to its end
 * (docs/architecture.md, "Several chains, one per writer at a time"). The database assigns the
 * chain, the position and the hashes itself (a trigger, under a transaction lock on the chain), so
 * a writer cannot forge them, and it refuses UPDATE, DELETE and
 * TRUNCATE for every role, owner included; a deployment's runtime role (`mash_service`) is granted
 * only SELECT and INSERT. A superuser can still disable triggers: `verifyChain` finds what that
 * changed, and the published chain heads find a deleted tail.
 */

/** Anything that runs a query: a TypeORM EntityManager or QueryRunner, or a pg Client. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

export interface Disclosure {
  /** Who: a principal (agency, service) or a person's subject from their token. */
  principal: string;
  /** What happened, e.g. `contact-received`, `check-requested`, `read-case`, `access-refused`. */
  action: string;
  caseId?: string | null;
  contactId?: string | null;
  /** Ids, agencies, data categories, lawful basis, channels: never case content. */
  detail?: Record<string, unknown>;
}

export interface ChainRow {
  /** Which of the schema's chains, and the position in it (from 1, without a gap). */
  chain: number;
  id: number;
  at: string;
  principal: string;
  action: string;
  caseId: string | null;
  contactId: string | null;
  detail: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

/** The rows a query answers, from TypeORM or pg alike. */
async function rows<T>(q: Queryable, sql: string, params?: unknown[]): Promise<T[]> {
  return rowsOf<T>(await q.query(sql, params));
}

export const auditTable = (schema: string) => `"${schema}".disclosure_audit`;

/**
 * How many chains a schema's audit is split into. A writer takes whichever chain no other open
 * transaction holds, so up to this many audited transactions commit side by side; beyond it they
 * queue (docs/architecture.md, "Several chains, one per writer at a time").
 */
export const AUDIT_CHAINS = 16;

/**
 * The canonical text a row's hash covers: a JSON array that Postgres renders (jsonb's text form is
 * a function of the value alone), so the verifier recomputes it without trusting stored hashes.
 */
export const canonicalSql = (r: string) =>
  `jsonb_build_array(${r}.id, to_char(${r}.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), ${r}.principal, ${r}.action,
     ${r}.case_id, ${r}.contact_id, ${r}.detail, ${r}.prev_hash)::text`;

export const chainHash = (canonical: string) => createHash('sha256').update(canonical, 'utf8').digest('hex');

/** Records one disclosure in the caller's transaction: it commits or rolls back with what it records. */
export async function recordDisclosure(q: Queryable, schema: string, d: Disclosure): Promise<void> {
  await recordDisclosures(q, schema, [d]);
}

/**
 * Records several disclosures, in the order given, in one statement of the caller's transaction.
 * The chain trigger holds a chain's lock from the first row to the end of the transaction; other
 * writers take other chains, but once all are held they queue: a handler should record its
 * disclosures as its last statement before commit, so the lock is held for the commit alone.
 */
export async function recordDisclosures(q: Queryable, schema: string, list: readonly Disclosure[]): Promise<void> {
  if (list.length === 0) return;
  const atEnd = recordedAtEnd.getStore();
  if (atEnd && atEnd.q === q) {
    atEnd.list.push(...list.map((d) => ({ schema, d })));
    return;
  }
  await insertDisclosures(q, schema, list);
}

const recordedAtEnd = new AsyncLocalStorage<{ q: Queryable; list: { schema: string; d: Disclosure }[] }>();

/**
 * Runs `work` (many handlers in one transaction on `q`: a run of messages) with every disclosure
 * it records on `q` held back and written after it, in the order recorded, as the transaction's
 * last statements: the chain's lock is then held for the commit alone, not for the whole run.
 * Disclosures on another connection are written at once as usual.
 */
export async function disclosuresLast<T>(q: Queryable, work: () => Promise<T>): Promise<T> {
  const atEnd = { q, list: [] as { schema: string; d: Disclosure }[] };
  const out = await recordedAtEnd.run(atEnd, work);
  // One statement per run of the same schema, in the order recorded.
  for (let i = 0; i < atEnd.list.length;) {
    let j = i;
    while (j < atEnd.list.length && atEnd.list[j].schema === atEnd.list[i].schema) j++;
    await insertDisclosures(
      q,
      atEnd.list[i].schema,
      atEnd.list.slice(i, j).map((x) => x.d),
    );
    i = j;
  }
  return out;
}

async function insertDisclosures(q: Queryable, schema: string, list: readonly Disclosure[]): Promise<void> {
  const { sql, params } = disclosuresPart(schema, list)(1, 'true');
  await q.query(sql, params);
}

/**
 * Disclosures as a part of another repository's statement, for a write that must be one round
 * trip (the front door's accept). The chain's lock is then held from that statement to its commit,
 * like any disclosure not held back by `disclosuresLast`.
 */
export function disclosuresPart(schema: string, list: readonly Disclosure[]): StatementPart {
  return (first, when) => ({
    sql: `INSERT INTO ${auditTable(schema)} (principal, action, case_id, contact_id, detail)
     SELECT principal, action, case_id, contact_id, detail
     FROM unnest($${first}::text[], $${first + 1}::text[], $${first + 2}::text[], $${first + 3}::text[], $${first + 4}::jsonb[]) WITH ORDINALITY AS d(principal, action, case_id, contact_id, detail, n)
     WHERE ${when} ORDER BY n`,
    params: [
      list.map((d) => d.principal),
      list.map((d) => d.action),
      list.map((d) => d.caseId ?? null),
      list.map((d) => d.contactId ?? null),
      list.map((d) => JSON.stringify(d.detail ?? {})),
    ],
  });
}

export interface ChainHead {
  schema: string;
  chain: number;
  id: number;
  hash: string;
}

/**
 * A head as published. Heads published before the audit had several chains name none: they were
 * chain 0's, except that a replica still running the old code during an upgrade publishes the
 * newest row of whichever chain has the highest id. So a head naming no chain holds if any chain
 * has that row.
 */
export interface PublishedHead {
  chain?: number;
  id: number;
  hash: string;
}

/** The last row of each of the schema's chains, chain by chain. */
export async function chainHeads(q: Queryable, schema: string): Promise<ChainHead[]> {
  // One index probe per chain: a DISTINCT ON over the table read and sorted all of it.
  const found = await rows<{ chain: number; id: string; hash: string }>(
    q,
    `SELECT h.chain, h.id, h.hash FROM generate_series(0, ${AUDIT_CHAINS - 1}) AS k(chain)
     CROSS JOIN LATERAL (SELECT a.chain, a.id, a.hash FROM ${auditTable(schema)} a WHERE a.chain = k.chain ORDER BY a.id DESC LIMIT 1) h
     ORDER BY h.chain`,
  );
  return found.map((r) => ({ schema, chain: Number(r.chain), id: Number(r.id), hash: r.hash }));
}

export type ChainProblem =
  | { kind: 'hash-mismatch'; chain: number; id: number }
  | { kind: 'broken-link'; chain: number; id: number; expectedPrev: string }
  | { kind: 'gap'; chain: number; id: number; expectedId: number }
  /** `chain` is null for a head that named none (published before the split). */
  | { kind: 'head-missing'; chain: number | null; id: number; hash: string };

export interface Verification {
  schema: string;
  /** How many chains hold rows, and how many rows they hold together. */
  chains: number;
  rows: number;
  ok: boolean;
  /** The first broken record, in chain order; later ones follow from it. */
  firstProblem?: ChainProblem;
}

/**
 * Walks each of a schema's chains from its first row: each row's hash must be the hash of its own
 * canonical text, its `prev_hash` the hash of the row before in its chain, and ids must run without
 * a gap from 1 in each chain. Each head published earlier must still be in its chain with the same
 * hash (a deleted tail breaks none of the links that remain). Reads in pages so a long chain does
 * not fill memory.
 */
export async function verifyChain(q: Queryable, schema: string, publishedHeads: PublishedHead[] = []): Promise<Verification> {
  // Each head is checked on its own: two heads may share a position (a head naming no chain, at
  // the same id as another chain's) and differ in hash.
  const key = (chain: number | '*', id: number, hash: string) => `${chain}:${id}:${hash}`;
  const headKey = (h: PublishedHead) => key(h.chain ?? '*', h.id, h.hash);
  const wanted = new Set(publishedHeads.map(headKey));
  const found = new Set<string>();
  // Before the first row (a chain below any real one, so tampered rows at negative chains or ids are read too).
  let chain = -32769;
  let id = 0;
  let prev = '';
  let expectedId = 1;
  let count = 0;
  let chains = 0;
  const broken = (firstProblem: ChainProblem): Verification => ({ schema, chains, rows: count, ok: false, firstProblem });
  for (;;) {
    const page = await rows<{ chain: number; id: string; prev_hash: string; hash: string; canonical: string }>(
      q,
      `SELECT a.chain, a.id, a.prev_hash, a.hash, ${canonicalSql('a')} AS canonical FROM ${auditTable(schema)} a
       WHERE (a.chain, a.id) > ($1::int, $2::bigint) ORDER BY a.chain, a.id LIMIT 5000`,
      [chain, id],
    );
    for (const r of page) {
      id = Number(r.id);
      if (Number(r.chain) !== chain) {
        chain = Number(r.chain);
        chains++;
        prev = '';
        expectedId = 1;
      }
      count++;
      if (id !== expectedId) return broken({ kind: 'gap', chain, id, expectedId });
      if (r.prev_hash !== prev) return broken({ kind: 'broken-link', chain, id, expectedPrev: prev });
      if (chainHash(r.canonical) !== r.hash) return broken({ kind: 'hash-mismatch', chain, id });
      for (const k of [key(chain, id, r.hash), key('*', id, r.hash)]) if (wanted.has(k)) found.add(k);
      prev = r.hash;
      expectedId = id + 1;
    }
    if (page.length < 5000) break;
  }
  const missing = publishedHeads.find((h) => !found.has(headKey(h)));
  if (missing) return broken({ kind: 'head-missing', chain: missing.chain ?? null, id: missing.id, hash: missing.hash });
  return { schema, chains, rows: count, ok: true };
}

/** Rows of a chain for an auditor: one case's, or a period's (inclusive from, exclusive to). */
export async function readDisclosures(
  q: Queryable,
  schema: string,
  filter: { caseId?: string; contactIds?: string[]; from?: Date; to?: Date },
): Promise<ChainRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.caseId) {
    // A contact is audited before it has a case: its rows belong to the case it joined.
    params.push(filter.caseId, filter.contactIds ?? []);
    where.push(`(case_id = $${params.length - 1} OR contact_id = ANY($${params.length}::text[]))`);
  }
  if (filter.from) {
    params.push(filter.from);
    where.push(`at >= $${params.length}`);
  }
  if (filter.to) {
    params.push(filter.to);
    where.push(`at < $${params.length}`);
  }
  const found = await rows<{
    chain: number;
    id: string;
    at: string;
    principal: string;
    action: string;
    case_id: string | null;
    contact_id: string | null;
    detail: Record<string, unknown>;
    prev_hash: string;
    hash: string;
  }>(
    q,
    `SELECT chain, id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, principal, action, case_id, contact_id, detail, prev_hash, hash
     FROM ${auditTable(schema)} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at, chain, id`,
    params,
  );
  return found.map((r) => ({
    chain: Number(r.chain),
    id: Number(r.id),
    at: r.at,
    principal: r.principal,
    action: r.action,
    caseId: r.case_id,
    contactId: r.contact_id,
    detail: r.detail,
    prevHash: r.prev_hash,
    hash: r.hash,
  }));
}
