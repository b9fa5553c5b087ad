import { DataSource, EntityManager } from 'typeorm';
import { TOPICS } from '@mash/contracts';
import { exampleContact } from '@mash/contracts/examples';
import { KafkaPort, Outbox, outboxEnvelopes } from '@mash/messaging';
import { disclosureAuditMigrationsFor, verifyChain } from '@mash/platform';
import { createServiceDb, ServiceDb } from '../../../../test/support/serviceDb';
import { countingQueries } from '../../../../test/support/statementCount';
import { GATEWAY_MIGRATIONS } from '../app.module';
import { ContactsRepository } from './contacts.repository';
import { IntakeService } from './intake.service';

/**
 * The front door's accept on real Postgres: the contact, its status row, its event and its
 * disclosure are one statement (docs/architecture.md, "One statement per accept"), and the same
 * agency reference is one contact however many times and however concurrently it is posted.
 */
let db: ServiceDb;
let sent: string[];
let transactions: number;
let nudges: number;
let intake: IntakeService;
let outbox: Outbox;

beforeAll(async () => {
  db = await createServiceDb('gateway_intake', 'gateway', [...GATEWAY_MIGRATIONS, ...disclosureAuditMigrationsFor('gateway')], 30);
  // The gateway's DataSource, with each statement on its manager noted and each transaction counted.
  const ds = {
    get manager() {
      return countingQueries(db.ds.manager, (sql) => sent.push(sql));
    },
    transaction: (fn: (m: EntityManager) => Promise<unknown>) => (transactions++, db.ds.transaction(fn)),
  } as unknown as DataSource;
  // The relay is never run here: what a nudge would send is the relay's spec's business.
  outbox = new Outbox(db.ds, undefined as unknown as KafkaPort, 'gateway', 'gateway');
  outbox.nudge = () => void nudges++;
  intake = new IntakeService(ds, outbox, new ContactsRepository());
}, 60_000);

afterAll(() => db?.drop());

beforeEach(() => {
  sent = [];
  transactions = 0;
  nudges = 0;
});

const contact = (agencyReference: string) => ({ ...exampleContact, agencyReference });
const count = async (table: string, where = 'true', params: unknown[] = []) =>
  (await db.ds.query(`SELECT count(*)::int AS n FROM gateway.${table} WHERE ${where}`, params))[0].n as number;

it('accepts a contact in one statement: the contact, its status, its event and its disclosure', async () => {
  const result = await intake.accept('police', contact('REF-ONE'));
  expect(result).toMatchObject({ kind: 'accepted', contactId: expect.stringMatching(/^CT-/) });
  const { contactId } = result as { contactId: string };
  expect(sent).toHaveLength(1);
  expect(transactions).toBe(0);
  expect(nudges).toBe(1);
  expect(await count('contacts', 'contact_id = $1', [contactId])).toBe(1);
  expect(await count('contact_status', `contact_id = $1 AND stage = 'received'`, [contactId])).toBe(1);
  const events = await outboxEnvelopes(db.ds, 'gateway', { topic: TOPICS.contactReceived, key: contactId });
  expect(events).toHaveLength(1);
  expect(events[0].data).toMatchObject({ contactId, sourceAgency: 'police', contact: { agencyReference: 'REF-ONE' } });
  const [audit] = await db.ds.query(`SELECT principal, action, detail FROM gateway.disclosure_audit WHERE contact_id = $1`, [contactId]);
  expect(audit).toEqual({
    principal: 'police',
    action: 'contact-received',
    detail: expect.objectContaining({ subjects: exampleContact.subjects.length }),
  });
  expect(await verifyChain(db.ds, 'gateway')).toMatchObject({ ok: true });
});

it('the same agency reference again writes nothing and names the first contact', async () => {
  const first = await intake.accept('education', contact('REF-AGAIN'));
  const before = { outbox: await count('outbox'), audit: await count('disclosure_audit') };
  sent = [];
  const again = await intake.accept('education', contact('REF-AGAIN'));
  expect(again).toEqual({ ...first, kind: 'already-received' });
  expect(sent).toHaveLength(2); // the accept that found the reference taken, then the read of the first
  expect({ outbox: await count('outbox'), audit: await count('disclosure_audit') }).toEqual(before);
  // Another agency may use the same reference: it is another contact.
  expect(await intake.accept('health', contact('REF-AGAIN'))).toMatchObject({ kind: 'accepted' });
});

it('posted concurrently, one reference is one contact with one event and one disclosure; distinct ones are each accepted', async () => {
  const same = Array.from({ length: 12 }, () => intake.accept('police', contact('REF-RACE')));
  const distinct = Array.from({ length: 12 }, (_, i) => intake.accept('police', contact(`REF-DISTINCT-${i}`)));
  const results = (await Promise.all([...same, ...distinct])) as { kind: string; contactId: string }[];
  const raced = results.slice(0, 12);
  expect(raced.filter((r) => r.kind === 'accepted')).toHaveLength(1);
  expect(new Set(raced.map((r) => r.contactId)).size).toBe(1);
  expect(results.slice(12).every((r) => r.kind === 'accepted')).toBe(true);
  const ids = [raced[0].contactId, ...results.slice(12).map((r) => r.contactId)];
  expect(await count('contacts', 'contact_id = ANY($1)', [ids])).toBe(13);
  expect(await count('outbox', `topic = $1 AND key = ANY($2)`, [TOPICS.contactReceived, ids])).toBe(13);
  expect(await count('disclosure_audit', 'contact_id = ANY($1)', [ids])).toBe(13);
  expect(await verifyChain(db.ds, 'gateway')).toMatchObject({ ok: true });
});

it("on an inbound topic the accept joins the run's transaction, and the run is relayed after its commit", async () => {
  let manager: EntityManager | undefined;
  await db.ds.transaction(async (m) => {
    manager = m;
    expect(await intake.accept('police', contact('REF-INBOUND'), m)).toMatchObject({ kind: 'accepted' });
  });
  expect(nudges).toBe(0);
  outbox.nudgeIfWrote(manager!);
  expect(nudges).toBe(1);
  expect(await count('contacts', `agency_reference = 'REF-INBOUND'`)).toBe(1);
});
