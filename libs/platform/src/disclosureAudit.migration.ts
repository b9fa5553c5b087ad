import { MigrationInterface, QueryRunner } from 'typeorm';
import { AUDIT_CHAINS, auditTable, canonicalSql } from './disclosureAudit.repository';

/**
 * Statements for a service's migration: the table (or, for a table that exists already, its chain
 * columns with the rows it holds chained in id order), the chaining trigger and the refusals.
 */
export function disclosureAuditMigration(schema: string, opts: { existing?: boolean } = {}): string[] {
  const t = auditTable(schema);
  const fn = `"${schema}".disclosure_audit_chain`;
  const refuse = `"${schema}".disclosure_audit_refuse`;
  const lockKey = `'${schema}.disclosure_audit'`;
  const create = opts.existing
    ? [
        `ALTER TABLE ${t} ADD COLUMN prev_hash text NOT NULL DEFAULT '', ADD COLUMN hash text NOT NULL DEFAULT ''`,
        // Chain what was written before the chain existed, oldest first.
        `DO $$ DECLARE r record; prev text := ''; BEGIN
           FOR r IN SELECT id FROM ${t} ORDER BY id LOOP
             UPDATE ${t} a SET prev_hash = prev WHERE a.id = r.id;
             UPDATE ${t} a SET hash = encode(sha256(convert_to(${canonicalSql('a')}, 'UTF8')), 'hex') WHERE a.id = r.id RETURNING a.hash INTO prev;
           END LOOP; END $$`,
      ]
    : [
        `CREATE TABLE ${t} (
           id bigint PRIMARY KEY,
           at timestamptz NOT NULL DEFAULT now(),
           principal text NOT NULL,
           action text NOT NULL,
           case_id text,
           contact_id text,
           detail jsonb NOT NULL DEFAULT '{}',
           prev_hash text NOT NULL DEFAULT '',
           hash text NOT NULL DEFAULT ''
         )`,
      ];
  return [
    ...create,
    `CREATE INDEX IF NOT EXISTS disclosure_audit_case ON ${t} (case_id, id)`,
    `CREATE INDEX IF NOT EXISTS disclosure_audit_at ON ${t} (at)`,
    // Concurrent writers queue on the chain for the rest of their transaction: the previous
    // writer's row is committed (or gone) before the next one reads the head, so ids and hashes
    // follow one line whatever the interleaving.
    `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
     DECLARE last_id bigint; last_hash text;
     BEGIN
       PERFORM pg_advisory_xact_lock(hashtextextended(${lockKey}, 0));
       SELECT a.id, a.hash INTO last_id, last_hash FROM ${t} a ORDER BY a.id DESC LIMIT 1;
       NEW.id := coalesce(last_id, 0) + 1;
       NEW.prev_hash := coalesce(last_hash, '');
       NEW.hash := encode(sha256(convert_to(${canonicalSql('NEW')}, 'UTF8')), 'hex');
       RETURN NEW;
     END $$`,
    `CREATE OR REPLACE FUNCTION ${refuse}() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       RAISE EXCEPTION 'disclosure_audit is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
     END $$`,
    `CREATE TRIGGER disclosure_audit_chain BEFORE INSERT ON ${t} FOR EACH ROW EXECUTE FUNCTION ${fn}()`,
    `CREATE TRIGGER disclosure_audit_no_change BEFORE UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION ${refuse}()`,
    `CREATE TRIGGER disclosure_audit_no_truncate BEFORE TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION ${refuse}()`,
    `REVOKE UPDATE, DELETE, TRUNCATE ON ${t} FROM PUBLIC`,
    `DO $$ BEGIN
       IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mash_service') THEN
         GRANT USAGE ON SCHEMA "${schema}" TO mash_service;
         GRANT SELECT, INSERT ON ${t} TO mash_service;
       END IF;
     END $$`,
  ];
}

/**
 * Statements that split a schema's one chain into `AUDIT_CHAINS` chains, each with its own lock:
 * with one chain every audited transaction of the schema queued on one lock from its audit row to
 * its commit, and under load that queue was the gateway's largest wait. The rows already written
 * stay as they are, as chain 0 (their ids, hashes and published heads still verify); the chaining
 * trigger is replaced by one that picks a free chain.
 */
export function disclosureAuditChainsMigration(schema: string): string[] {
  const t = auditTable(schema);
  const fn = `"${schema}".disclosure_audit_chain`;
  const lockKey = `'${schema}.disclosure_audit:'`;
  // The chain this transaction took, kept to its end: its later rows follow in the same chain.
  const held = `'mash_audit.${schema.replace(/[^A-Za-z0-9_]/g, '_')}'`;
  return [
    `ALTER TABLE ${t} ADD COLUMN chain smallint NOT NULL DEFAULT 0`,
    `ALTER TABLE ${t} DROP CONSTRAINT disclosure_audit_pkey, ADD CONSTRAINT disclosure_audit_pkey PRIMARY KEY (chain, id)`,
    // The first chain tried is the backend's own, so a pooled connection keeps to one chain and
    // concurrent writers rarely try the same one; a writer waits only when every chain is held.
    // The setting only says which chain to try first: any client can set it, so the chain is
    // taken only with its lock (which the transaction that set it holds already).
    `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
     DECLARE k int := nullif(current_setting(${held}, true), '')::int; first int; last_id bigint; last_hash text;
     BEGIN
       IF k IS NOT NULL AND NOT (k BETWEEN 0 AND ${AUDIT_CHAINS - 1} AND pg_try_advisory_xact_lock(hashtextextended(${lockKey} || k, 0))) THEN
         k := NULL;
       END IF;
       IF k IS NULL THEN
         first := pg_backend_pid() % ${AUDIT_CHAINS};
         FOR i IN 0..${AUDIT_CHAINS - 1} LOOP
           IF pg_try_advisory_xact_lock(hashtextextended(${lockKey} || ((first + i) % ${AUDIT_CHAINS}), 0)) THEN
             k := (first + i) % ${AUDIT_CHAINS};
             EXIT;
           END IF;
         END LOOP;
         IF k IS NULL THEN
           k := first;
           PERFORM pg_advisory_xact_lock(hashtextextended(${lockKey} || k, 0));
         END IF;
         PERFORM set_config(${held}, k::text, true);
       END IF;
       SELECT a.id, a.hash INTO last_id, last_hash FROM ${t} a WHERE a.chain = k ORDER BY a.id DESC LIMIT 1;
       NEW.chain := k;
       NEW.id := coalesce(last_id, 0) + 1;
       NEW.prev_hash := coalesce(last_hash, '');
       NEW.hash := encode(sha256(convert_to(${canonicalSql('NEW')}, 'UTF8')), 'hex');
       RETURN NEW;
     END $$`,
  ];
}

/**
 * The migrations that give a service its chains; they run after the service's own migrations
 * (their timestamps are later), so where a service had the plain table already (the gateway) that
 * table and its rows are taken into the chain. The split into several chains came later and is a
 * migration of its own, so a database that has the first runs only the second.
 */
export function disclosureAuditMigrationsFor(schema: string): (new () => MigrationInterface)[] {
  const id = schema.replace(/[^A-Za-z0-9]/g, '');
  return [
    migration(`DisclosureAudit${id}1700000000900`, async (q) => {
      const [{ exists }] = await q.query(`SELECT to_regclass($1) IS NOT NULL AS exists`, [`"${schema}".disclosure_audit`]);
      return disclosureAuditMigration(schema, { existing: exists });
    }),
    migration(`DisclosureAuditChains${id}1700000000950`, async () => disclosureAuditChainsMigration(schema)),
  ];
}

function migration(name: string, statements: (q: QueryRunner) => Promise<string[]>): new () => MigrationInterface {
  const cls = class implements MigrationInterface {
    name = name;
    async up(q: QueryRunner): Promise<void> {
      for (const sql of await statements(q)) await q.query(sql);
    }
    async down(): Promise<void> {
      // An audit trail is not migrated away.
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  return cls;
}
