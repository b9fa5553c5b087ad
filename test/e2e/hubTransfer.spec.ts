import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign } from 'jose';
import { Client } from 'pg';
import { dataKeys, openJsonb } from '@mash/at-rest';
import type { Contact } from '@mash/contracts';
import { exampleContact } from '@mash/contracts/examples';
import { startTestHub, TEST_TOKENS, TestHub } from '../support/hub';

/**
 * Two hubs on one machine, each with its own database, topic prefix, identity provider and
 * locality policy: Sandwell's triage flags a child living in Dudley, its decision maker decides
 * 'transfer', and Sandwell's gateway hands the contact to Dudley's over the signed hub-to-hub
 * interface (docs/hub-to-hub.md). Dudley accepts it at its own front door as a contact from another
 * local authority and answers with a signed receipt, which Sandwell records and audits. A transfer
 * with a signature Dudley does not trust is refused with a problem document and kept.
 */
describe('hub to hub transfer', () => {
  let sandwell: TestHub;
  let dudley: TestHub;
  let sandwellDb: Client;
  let dudleyDb: Client;
  const dir = mkdtempSync(join(tmpdir(), 'mash-hubs-'));
  const keyPair = () => generateKeyPairSync('ed25519');
  const sandwellKeys = keyPair();
  const dudleyKeys = keyPair();
  const pem = (k: KeyObject) => k.export({ format: 'pem', type: 'pkcs8' }).toString();
  const jwk = (k: KeyObject) => k.export({ format: 'jwk' }) as { kty: 'OKP'; crv: 'Ed25519'; x: string };
  const base = () => JSON.parse(readFileSync(join(__dirname, '..', '..', 'policies', 'sandwell.json'), 'utf8'));

  const dudleyArea = {
    hubId: 'dudley-mash',
    name: 'Dudley',
    localAuthorityCode: 'E08000027',
    postcodeDistricts: ['DY1', 'DY2', 'DY3', 'DY5', 'DY6', 'DY8', 'DY9', 'B62', 'B63'],
  };

  beforeAll(async () => {
    // Dudley first: Sandwell's policy needs Dudley's gateway address. Dudley never sends here, so
    // Sandwell's endpoint in its policy is a port nothing listens on.
    const d = base();
    d.locality = 'dudley';
    d.version = 'dudley-test';
    d.area = dudleyArea;
    d.neighbours = [
      {
        id: 'sandwell-mash',
        name: 'Sandwell MASH',
        localAuthorityCode: 'E08000028',
        postcodeDistricts: base().area.postcodeDistricts,
        endpoint: 'http://127.0.0.1:9',
        publicKeyJwk: jwk(sandwellKeys.publicKey),
      },
    ];
    writeFileSync(join(dir, 'dudley.json'), JSON.stringify(d));
    // Dudley's gateway is its front door and all a hand-over needs; its triage rates what comes in like any contact (triage specs).
    dudley = await startTestHub(
      [],
      { MASH_POLICY: join(dir, 'dudley.json'), MASH_HUB_SIGNING_KEY: pem(dudleyKeys.privateKey) },
      { services: ['gateway'] },
    );

    const s = base();
    s.version = 'sandwell-test';
    s.neighbours = s.neighbours.map((n: { id: string }) =>
      n.id === 'dudley-mash' ? { ...n, endpoint: dudley.gatewayUrl, publicKeyJwk: jwk(dudleyKeys.publicKey) } : n,
    );
    writeFileSync(join(dir, 'sandwell.json'), JSON.stringify(s));
    sandwell = await startTestHub(
      [],
      { MASH_POLICY: join(dir, 'sandwell.json'), MASH_HUB_SIGNING_KEY: pem(sandwellKeys.privateKey), MASH_TRANSFER_POLL_MS: '200' },
      { services: ['gateway', 'triage'] },
    );

    sandwellDb = new Client({ connectionString: sandwell.env.DATABASE_URL });
    dudleyDb = new Client({ connectionString: dudley.env.DATABASE_URL });
    await sandwellDb.connect();
    await dudleyDb.connect();
  }, 300000);

  afterAll(async () => {
    await sandwellDb?.end();
    await dudleyDb?.end();
    await sandwell?.stop();
    await dudley?.stop();
  }, 120000);

  const get = async (hub: TestHub, path: string, token: string) => {
    const res = await fetch(`${hub.gatewayUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 60000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await f();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  const postTransfer = (jws: string, as = 'sandwell-mash') =>
    fetch(`${dudley.gatewayUrl}/v1/hubs/${as}/transfers`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });

  it("flags a Dudley child at Sandwell, transfers on the decision, and records Dudley's signed receipt", async () => {
    const contact: Contact = { ...structuredClone(exampleContact), agencyReference: `XFER-${Date.now()}` };
    contact.household = { ...contact.household, address: { lines: ['1 Castle Street'], town: 'Dudley', postcode: 'DY1 1HF' } };
    const sent = await fetch(`${sandwell.gatewayUrl}/v1/agencies/police/contacts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKENS.police}` },
      body: JSON.stringify(contact),
    });
    expect(sent.status).toBe(202);
    const { contactId } = (await sent.json()) as { contactId: string };
    const caseId = await until(
      'the rated case',
      async () => (await get(sandwell, `/v1/contacts/${contactId}`, TEST_TOKENS.police)).body.caseId ?? undefined,
    );
    const picture = await until('the case picture with its start rating', async () => {
      const p = await get(sandwell, `/v1/cases/${caseId}`, sandwell.managerToken);
      return p.body.ratingStart ? p.body : undefined;
    });
    expect(picture.outOfArea).toEqual({
      postcodeDistrict: 'DY1',
      hub: { id: 'dudley-mash', name: 'Dudley MASH', localAuthorityCode: 'E08000027' },
    });
    expect(picture.ratingStart.reasons.join(' ')).toMatch(/outside Sandwell .*Dudley MASH \(E08000027\) should hold this contact/);

    // No hub named: the one triage flagged.
    const decided = await fetch(`${sandwell.gatewayUrl}/v1/cases/${caseId}/decision`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${sandwell.managerToken}` },
      body: JSON.stringify({
        outcomes: ['transfer'],
        finalRating: picture.rating,
        responsibleTeam: { name: 'Dudley MASH', inHours: '0300 555 0050' },
        urgentOverride: { reason: 'Child lives in Dudley: hand over now' },
      }),
    });
    expect(decided.status).toBe(201);
    expect(await decided.json()).toMatchObject({ transferTo: 'dudley-mash' });

    const transfer = await until('the acknowledged transfer', async () => {
      const t = (await get(sandwell, `/v1/cases/${caseId}`, sandwell.managerToken)).body.transfers?.[0];
      return t?.status === 'acknowledged' ? t : undefined;
    });
    expect(transfer).toMatchObject({
      toHub: 'dudley-mash',
      attempts: 1,
      receipt: { hub: 'dudley-mash', status: 'accepted', transferId: transfer.transferId },
    });

    // Dudley holds it as a contact from another local authority (CIN 5C), named from its own policy, and rates it.
    const theirs = transfer.receipt.contactId as string;
    const {
      rows: [row],
    } = await dudleyDb.query(`SELECT source_agency, agency_reference, body FROM gateway.contacts WHERE contact_id = $1`, [theirs]);
    expect(row).toMatchObject({ source_agency: 'contact-centre', agency_reference: `sandwell-mash:${transfer.transferId}` });
    const body = openJsonb<Contact>(row.body);
    expect(body.referrer).toEqual({
      organisation: 'Sandwell MASH',
      role: 'Multi-Agency Safeguarding Hub',
      source: '5C',
      channel: { kind: 'none', reason: 'no-contact-details' },
    });
    expect(body.subjects).toEqual(contact.subjects);
    const journey = await get(dudley, `/v1/contacts/${theirs}`, TEST_TOKENS['contact-centre']);
    expect(journey).toMatchObject({
      status: 200,
      body: { contactId: theirs, agencyReference: `sandwell-mash:${transfer.transferId}`, stage: 'received' },
    });
    // Published to Dudley's own pipeline through its outbox, like any contact at its front door.
    const { rows: outbox } = await dudleyDb.query(`SELECT topic FROM gateway.outbox WHERE key = $1`, [theirs]);
    expect(outbox.map((r) => r.topic)).toEqual([expect.stringMatching(/mash\.contact\.received\.v1$/)]);

    // Both ends audited: content sent and acknowledged at Sandwell, received at Dudley.
    const { rows: sentAudit } = await sandwellDb.query(
      `SELECT principal, action, detail FROM gateway.disclosure_audit WHERE case_id = $1 AND action LIKE 'transfer-%' ORDER BY at, id`,
      [caseId],
    );
    expect(sentAudit).toEqual([
      expect.objectContaining({
        principal: 'hub:dudley-mash',
        action: 'transfer-sent',
        detail: expect.objectContaining({ transferId: transfer.transferId, attempt: 1 }),
      }),
      expect.objectContaining({
        principal: 'hub:dudley-mash',
        action: 'transfer-acknowledged',
        detail: expect.objectContaining({ theirContactId: theirs }),
      }),
    ]);
    const { rows: receivedAudit } = await dudleyDb.query(
      `SELECT principal, detail FROM gateway.disclosure_audit WHERE action = 'transfer-received' AND contact_id = $1`,
      [theirs],
    );
    expect(receivedAudit).toEqual([
      expect.objectContaining({
        principal: 'hub:sandwell-mash',
        detail: expect.objectContaining({ transferId: transfer.transferId, theirCaseId: caseId }),
      }),
    ]);

    // The same transfer again (a sender that crashed before recording the receipt) is the same contact.
    const again = {
      transferId: transfer.transferId,
      fromHub: { id: 'sandwell-mash', name: 'Sandwell', localAuthorityCode: 'E08000028' },
      toHub: 'dudley-mash',
      sentAt: new Date().toISOString(),
      caseId,
      decisionId: 'DC-x',
      decidedAt: new Date().toISOString(),
      contact,
    };
    const resent = await postTransfer(await sign(again, sandwellKeys.privateKey, 'sandwell-mash'));
    expect(resent.status).toBe(200);
    expect(await resent.json()).toMatchObject({ contactId: theirs, status: 'already-received' });
  }, 180000);

  it('refuses a transfer signed with a key it does not trust, or from a hub it does not know, and keeps it with the reason', async () => {
    const forged = {
      transferId: 'TR-forged',
      fromHub: { id: 'sandwell-mash', name: 'Sandwell', localAuthorityCode: 'E08000028' },
      toHub: 'dudley-mash',
      sentAt: new Date().toISOString(),
      caseId: 'CS-x',
      decisionId: 'DC-x',
      decidedAt: new Date().toISOString(),
      contact: exampleContact,
    };
    const res = await postTransfer(await sign(forged, keyPair().privateKey, 'sandwell-mash'));
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = (await res.json()) as { detail: string; quarantineId: number };
    expect(problem.detail).toMatch(/signature refused: signature not valid for the configured key/);
    const {
      rows: [kept],
    } = await dudleyDb.query(`SELECT sender, channel, status, reason, raw FROM gateway.quarantine WHERE id = $1`, [problem.quarantineId]);
    expect(kept).toMatchObject({ sender: 'hub:sandwell-mash', channel: 'hub-transfer', status: 401 });
    expect(kept.reason).toMatch(/signature refused/);
    expect(dataKeys().open(kept.raw).split('.')).toHaveLength(3);

    const stranger = await postTransfer(
      await sign({ ...forged, fromHub: { ...forged.fromHub, id: 'walsall-mash' } }, keyPair().privateKey, 'walsall-mash'),
      'walsall-mash',
    );
    expect(stranger.status).toBe(401);
    expect(((await stranger.json()) as { detail: string }).detail).toMatch(/'walsall-mash' is not a neighbouring MASH/);

    // Signed by Sandwell's real key but addressed to another hub: not Dudley's to take.
    const misdirected = await postTransfer(await sign({ ...forged, toHub: 'walsall-mash' }, sandwellKeys.privateKey, 'sandwell-mash'));
    expect(misdirected.status).toBe(403);
    const { rows } = await dudleyDb.query(`SELECT count(*)::int AS n FROM gateway.contacts WHERE agency_reference LIKE '%TR-forged%'`);
    expect(rows[0].n).toBe(0);
  }, 60000);
});

function sign(payload: object, key: KeyObject, kid: string): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'mash-transfer+jws' })
    .sign(key);
}
