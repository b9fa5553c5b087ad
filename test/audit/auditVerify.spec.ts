import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { KafkaPort, messagingTablesMigration, Outbox } from '@mash/messaging';
import { AuditHeadPublisher, disclosureAuditMigrationsFor, recordDisclosure } from '@mash/platform';
import { describe as describeResult, exportDisclosures, publishedHeads, toCsv, verifyAll } from '../../scripts/audit';

/**
 * The auditor's commands on real Postgres and Kafka: two services' chains, heads published through
 * the outbox to mash.audit.head.v1, a deleted tail found against them, and one case's export.
 */
const runId = randomBytes(4).toString('hex');
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbUrl = (() => {
  const u = new URL(adminUrl);
  u.pathname = `/audit_${runId}`;
  return u.toString();
})();
const prefix = `t${runId}.`;
const schemas = ['gateway', 'checks'];
let port: KafkaPort;
let pg: Client;
const sources: { ds: DataSource; outbox: Outbox; heads: AuditHeadPublisher }[] = [];

beforeAll(async () => {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "audit_${runId}"`);
  await admin.end();
  port = new KafkaPort({ brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), clientId: 'audittest', prefix });
  await port.ensureTopics();
  for (const schema of schemas) {
    const ds = new DataSource({
      type: 'postgres',
      url: dbUrl,
      schema,
      migrations: [messagingTablesMigration(schema), ...disclosureAuditMigrationsFor(schema)],
    });
    await ds.initialize();
    await ds.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await ds.runMigrations();
    const outbox = new Outbox(ds, port, schema, schema, 50);
    outbox.start();
    sources.push({ ds, outbox, heads: new AuditHeadPublisher(ds, outbox, schema, 60_000) });
  }
  pg = new Client({ connectionString: dbUrl });
  await pg.connect();
}, 60_000);

afterAll(async () => {
  await pg?.end();
  for (const s of sources) {
    await s.outbox.stop();
    await s.ds.destroy();
  }
  const admin = await port.adminClient();
  const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  if (mine.length) await admin.deleteTopics({ topics: mine });
  await port.close();
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS "audit_${runId}" WITH (FORCE)`);
  await c.end();
}, 60_000);

async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

it('verifies both chains against their published heads, finds a deleted tail, and exports one case', async () => {
  const [gw, checks] = sources;
  await gw.ds.transaction((m) =>
    recordDisclosure(m, 'gateway', { principal: 'police', action: 'contact-received', caseId: 'C-1', contactId: 'K-1' }),
  );
  await checks.ds.transaction((m) =>
    recordDisclosure(m, 'checks', {
      principal: 'checks',
      action: 'check-requested',
      caseId: 'C-1',
      detail: { agency: 'health', categories: ['health-history'], lawfulBasis: 'consent' },
    }),
  );
  await gw.ds.transaction((m) => recordDisclosure(m, 'gateway', { principal: 'manager-1', action: 'read-case', caseId: 'C-2' }));
  await gw.ds.transaction((m) => recordDisclosure(m, 'gateway', { principal: 'manager-1', action: 'read-case', caseId: 'C-1' }));

  // The gateway's three transactions took whichever chains were free: one head per chain used.
  const gwHeads = await gw.heads.publishOnce();
  const gwChains = (await pg.query(`SELECT chain, max(id)::int AS id FROM gateway.disclosure_audit GROUP BY chain ORDER BY chain`)).rows;
  expect(gwHeads.map((h) => ({ chain: h.chain, id: h.id }))).toEqual(gwChains);
  expect(gwHeads.every((h) => h.service === 'gateway')).toBe(true);
  expect(await gw.heads.publishOnce()).toEqual([]); // nothing new to say
  expect(await checks.heads.publishOnce()).toMatchObject([{ service: 'checks', chain: expect.any(Number), id: 1 }]);

  const heads = await waitFor(async () => {
    const h = await publishedHeads(port);
    return h.get('gateway')?.length && h.get('checks')?.length ? h : undefined;
  });
  const intact = await verifyAll(pg, heads);
  const n = gwChains.length;
  expect(intact.map(describeResult)).toEqual([
    'checks: 1 records in 1 chain, intact',
    `gateway: 3 records in ${n === 1 ? '1 chain' : `${n} chains`}, intact`,
  ]);

  // A superuser deletes the newest gateway record with the triggers off: every remaining link holds.
  const [newest] = (await pg.query(`SELECT chain, id::int FROM gateway.disclosure_audit WHERE case_id = 'C-1' AND action = 'read-case'`))
    .rows;
  await pg.query(`ALTER TABLE gateway.disclosure_audit DISABLE TRIGGER USER`);
  await pg.query(`DELETE FROM gateway.disclosure_audit WHERE chain = $1 AND id = $2`, [newest.chain, newest.id]);
  await pg.query(`ALTER TABLE gateway.disclosure_audit ENABLE TRIGGER USER`);
  const broken = await verifyAll(pg, heads);
  expect(broken.map(describeResult)).toEqual([
    'checks: 1 records in 1 chain, intact',
    `gateway: BROKEN at chain ${newest.chain}, record ${newest.id}: a head published earlier is no longer in the chain (the tail was deleted or rewritten)`,
  ]);

  const forCase = await exportDisclosures(pg, { caseId: 'C-1' });
  expect(forCase.map((r) => `${r.service}:${r.action}`)).toEqual(['gateway:contact-received', 'checks:check-requested']);
  const csv = toCsv(forCase).trim().split('\r\n');
  expect(csv[0]).toBe('at,service,chain,id,principal,action,caseId,contactId,detail,hash');
  expect(csv).toHaveLength(3);
  expect(csv[2]).toContain('"{""agency"":""health"",""categories"":[""health-history""],""lawfulBasis"":""consent""}"');
}, 60_000);
