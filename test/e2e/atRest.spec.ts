import { Client } from 'pg';
import { DataKeys, demoDataKeys, isSealed, SEALED_PREFIX } from '@mash/at-rest';
import { Contact, contactInboundTopic, DeadLetter, nhsNumberCheckDigit, TOPICS } from '@mash/contracts';
import { exampleContact } from '@mash/contracts/examples';
import { KafkaPort, openRaw, readTopicToEnd } from '@mash/messaging';
import { randomBytes } from 'node:crypto';
import { rotateKeys, sealedColumns } from '../../scripts/keysRotate';
import { startTestHub, TEST_MANAGER, TEST_TOKENS, TestHub } from '../support/hub';
import { untilReadyForDecision } from '../support/readiness';
import { poll, TopicWatcher } from '../support/topics';

/**
 * Encryption at rest, end to end (docs/architecture.md, "Encryption at rest"): a real hub on real
 * Kafka and Postgres takes contacts through rating, checks, decision and notices; then raw SQL over
 * every service's tables and outboxes, and the dead-letter topic read raw, hold none of the
 * fixtures' names, NHS numbers or postcodes; a second report is matched by NHS number; and
 * rotation re-seals every value while old values still open.
 */
const nine = '48' + String(Date.now() % 10_000_000).padStart(7, '0');
const NHS = (() => {
  for (let i = 0; i < 10; i++) {
    const n = nine.slice(0, 8) + String((Number(nine[8]) + i) % 10);
    const d = nhsNumberCheckDigit(n);
    if (d !== undefined && d !== null && String(d).length === 1) return n + String(d);
  }
  throw new Error('no NHS number with a check digit');
})();
const CHILD = { given: 'Ysolde', family: 'Quennevais' };
const ADULT = 'Morwenna';
const POSTCODE = 'ZE2 9QJ';
// Professionals are data subjects too: the referrer (the example contact's) and the signed-in decision maker.
const PROFESSIONALS: string[] = [exampleContact.referrer.name ?? 'PC Jane Walker', TEST_MANAGER.name];
const NEEDLES = [CHILD.given, CHILD.family, ADULT, 'Isolde', NHS, POSTCODE, POSTCODE.replace(' ', ''), ...PROFESSIONALS];

function contact(ref: string, given: string, postcode: string): Contact {
  const c = structuredClone(exampleContact);
  c.agencyReference = ref;
  c.subjects = [
    { ...c.subjects[0], givenName: given, familyName: CHILD.family, identifiers: { nhsNumber: NHS } },
    { ...c.subjects[1], givenName: ADULT, familyName: CHILD.family },
  ];
  c.household = {
    address: { lines: ['7 Quennevais Lane'], town: 'Exampleton', postcode },
    relationships: [{ from: 'a1', to: 'c1', type: 'parent' }],
  };
  c.narrative = `${given} ${CHILD.family} (NHS ${NHS}) was present; mother ${ADULT} lives at ${postcode}.`;
  c.incident = { occurredAt: new Date(Date.now() - 3600_000).toISOString(), place: 'Home address', reference: `INC-${ref}` };
  return c;
}

/** Every row of every base table in the schema, as text, that contains a needle. */
async function plainHits(db: Client, schema: string): Promise<{ table: string; rows: number; hits: string[] }[]> {
  const { rows: tables } = await db.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY 1`,
    [schema],
  );
  const out = [];
  for (const { table_name: t } of tables) {
    const { rows } = await db.query(`SELECT t::text AS row FROM "${schema}"."${t}" t`);
    const hits = rows.flatMap((r) =>
      NEEDLES.filter((n) => r.row.toLowerCase().includes(n.toLowerCase())).map((n) => `${n} in ${r.row.slice(0, 160)}`),
    );
    out.push({ table: `${schema}.${t}`, rows: rows.length, hits });
  }
  return out;
}

describe('case content is encrypted at rest in every service, outbox and dead letter', () => {
  let hub: TestHub;
  let db: Client;
  let port: KafkaPort;
  let deadLetters: TopicWatcher;

  beforeAll(async () => {
    hub = await startTestHub(
      (['police', 'health', 'education'] as const).map((a) => ({ name: `connector-${a}`, entry: `apps/connectors/${a}/src/main` })),
    );
    db = new Client({ connectionString: hub.env.DATABASE_URL });
    await db.connect();
    deadLetters = new TopicWatcher(hub.env.KAFKA_BROKERS, hub.env.MASH_TOPIC_PREFIX);
    await deadLetters.watch([TOPICS.deadLetter]);
    port = new KafkaPort({ brokers: hub.env.KAFKA_BROKERS.split(','), clientId: 'test-at-rest', prefix: hub.env.MASH_TOPIC_PREFIX });
  }, 480000);

  afterAll(async () => {
    await port?.close();
    await deadLetters?.stop();
    await db?.end();
    await hub?.stop();
  }, 60000);

  const api = (path: string, token: string, init: RequestInit = {}) =>
    fetch(`${hub.gatewayUrl}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
    });

  it('stores no name, NHS number or postcode in plain text, still matches by NHS number, and rotates keys', async () => {
    // 1. A police report through rating, checks, decision and notices.
    const first = await api('/v1/agencies/police/contacts', TEST_TOKENS.police, {
      method: 'POST',
      body: JSON.stringify(contact(`PVP-REST-${hub.runId}`, CHILD.given, POSTCODE)),
    });
    expect(first.status).toBe(202);
    const { contactId } = (await first.json()) as { contactId: string };
    const ready = await untilReadyForDecision(hub, TEST_TOKENS.police, contactId, { timeoutMs: 400000 });
    const caseId = ready.caseId!;
    const decided = await api(`/v1/cases/${caseId}/decision`, TEST_TOKENS.manager, {
      method: 'POST',
      body: JSON.stringify({
        decisionMaker: { name: 'Sam Patel', role: 'MASH team manager' },
        outcomes: ['early-help'],
        finalRating: 'AMBER',
        ratingChangeReason: `Reviewed ${CHILD.given}'s history.`,
        responsibleTeam: { name: 'Early Help Hub North', inHours: '01234 567890' },
      }),
    });
    expect(decided.status).toBe(201);
    await poll(
      async () =>
        (await db.query(`SELECT 1 FROM notifier.notices WHERE case_id = $1 AND kind = 'outcome'`, [caseId])).rows.length ? true : undefined,
      300000,
      'outcome notice',
    );

    // 2. A second report about the same child, a different spelling and address: found by NHS number.
    const second = await api('/v1/agencies/police/contacts', TEST_TOKENS.police, {
      method: 'POST',
      body: JSON.stringify(contact(`PVP-REST2-${hub.runId}`, 'Isolde', 'ZE1 0AA')),
    });
    expect(second.status).toBe(202);
    const secondId = ((await second.json()) as { contactId: string }).contactId;
    const linked = await poll(
      async () => {
        const { rows } = await db.query(
          `SELECT contact_id, person_id, matched_by FROM triage.contact_subjects WHERE contact_id = ANY($1) AND subject_ref = 'c1' ORDER BY contact_id = $2`,
          [[contactId, secondId], contactId],
        );
        return rows.length === 2 ? rows : undefined;
      },
      200000,
      'second report linked',
    );
    expect(linked[1].contact_id).toBe(contactId);
    expect(linked[0]).toMatchObject({ contact_id: secondId, matched_by: 'identifier', person_id: linked[1].person_id });

    // 3. A poison message naming the child: parked in the dead-letter topic.
    const poisonKey = `poison-${hub.runId}`;
    const broken = { ...contact(`KAFKA-REST-${hub.runId}`, CHILD.given, POSTCODE), urgency: 'whenever' };
    await port.sendRaw([
      {
        topic: contactInboundTopic('police'),
        key: poisonKey,
        value: JSON.stringify({
          id: poisonKey,
          type: contactInboundTopic('police'),
          occurredAt: new Date().toISOString(),
          producer: 'test',
          key: poisonKey,
          data: { agency: 'police', submission: broken },
        }),
      },
    ]);
    const parked = await deadLetters.waitFor<DeadLetter>((e) => e.envelope.data.key === poisonKey, 120000);
    expect(parked.envelope.data.rawEncoding).toBe('sealed-utf8');
    expect(openRaw(parked.envelope.data).value).toContain(CHILD.family);
    await poll(
      async () =>
        (await db.query(`SELECT count(*)::int AS n FROM gateway.quarantine WHERE channel LIKE 'kafka %'`)).rows[0].n > 0 ? true : undefined,
      120000,
      'quarantined',
    );

    // 4. Raw SQL over every service's tables and outboxes: none of the fixtures in plain text.
    const scanned = (await Promise.all(['gateway', 'triage', 'checks', 'notifier'].map((s) => plainHits(db, s)))).flat();
    const rowsIn = (t: string) => scanned.find((s) => s.table === t)?.rows ?? 0;
    // The scan must have had something to find: the run wrote every table that holds case content.
    for (const t of [
      'gateway.contacts',
      'gateway.decisions',
      'gateway.quarantine',
      'triage.persons',
      'triage.contacts',
      'checks.replies',
      'notifier.notices',
      'notifier.referrers',
      'gateway.outbox',
      'triage.outbox',
      'checks.outbox',
      'notifier.outbox',
    ]) {
      expect({ table: t, hasRows: rowsIn(t) > 0 }).toEqual({ table: t, hasRows: true });
    }
    expect(scanned.filter((s) => s.hits.length)).toEqual([]);

    // 5. The dead-letter topic read raw: nothing in plain text either.
    const letters = await readTopicToEnd(port, TOPICS.deadLetter);
    expect(letters.length).toBeGreaterThan(0);
    const raw = JSON.stringify(letters.map((l) => l.envelope)).toLowerCase();
    expect(NEEDLES.filter((n) => raw.includes(n.toLowerCase()))).toEqual([]);

    // 6. Rotation: a new current key re-seals every value; the old key still opens what it sealed.
    const demo = demoDataKeys();
    const rotated = demo.adding('k2', randomBytes(32));
    const columns = sealedColumns();
    const before = await openAll(db, demo, columns);
    expect(before.size).toBeGreaterThan(10);
    const sample = [...before.keys()][0];
    const result = await rotateKeys(db, rotated);
    expect(result.reduce((n, r) => n + r.resealed, 0)).toBeGreaterThanOrEqual(before.size);
    expect(result.filter((r) => r.stale > 0)).toEqual([]);
    const after = await openAll(db, rotated, columns);
    expect([...after.values()].every((v) => v.sealed.startsWith(`${SEALED_PREFIX}k2:`))).toBe(true);
    expect(new Map([...after].map(([k, v]) => [k, v.plain]))).toEqual(new Map([...before].map(([k, v]) => [k, v.plain])));
    // A value sealed under the old key (a service that had not yet switched) still opens.
    expect(rotated.open(before.get(sample)!.sealed)).toBe(before.get(sample)!.plain);
    expect((await rotateKeys(db, rotated)).reduce((n, r) => n + r.resealed, 0)).toBe(0);
  }, 1200000);
});

/** Every sealed value of the columns, opened with `keys`, by table/row. */
async function openAll(
  db: Client,
  keys: DataKeys,
  columns: ReturnType<typeof sealedColumns>,
): Promise<Map<string, { sealed: string; plain: string }>> {
  const out = new Map<string, { sealed: string; plain: string }>();
  for (const c of columns) {
    const { rows } = await db.query(
      `SELECT ${c.key.map((k) => `"${k}"::text`).join(` || '|' || `)} AS k, "${c.column}" AS v FROM "${c.schema}"."${c.table}"`,
    );
    for (const r of rows) {
      const v = c.json ? (typeof r.v === 'string' ? r.v : undefined) : r.v;
      if (!isSealed(v)) continue;
      out.set(`${c.schema}.${c.table}.${c.column}:${r.k}`, { sealed: v, plain: keys.open(v) });
    }
  }
  return out;
}
