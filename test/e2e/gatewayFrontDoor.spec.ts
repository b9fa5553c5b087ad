import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { Client } from 'pg';
import { exampleContact } from '@mash/contracts/examples';
import { startTestHub, TEST_TOKENS, TestHub } from '../support/hub';
import { dataKeys } from '@mash/at-rest';

/**
 * The gateway's front door on the real gateway and Postgres (docs/trust-boundary.md): a request
 * with no credential is refused before its body is read; what is kept of a refused body is
 * bounded (first 4 KiB and the hash of the whole); past a few refusals an address gets 429 and
 * nothing is written; a valid credential from the same address still gets through.
 */
describe('gateway front door: refused early, bounded, rate-limited per address', () => {
  let hub: TestHub;
  let db: Client;

  beforeAll(async () => {
    hub = await startTestHub([], { MASH_REFUSAL_BURST: '4', MASH_REFUSAL_RATE_PER_SEC: '0.2' }, { services: ['gateway'] });
    db = new Client({ connectionString: hub.env.DATABASE_URL });
    await db.connect();
  }, 90000);

  afterAll(async () => {
    await db?.end();
    await hub?.stop();
  }, 60000);

  /** A raw POST that reports how the exchange ended, and how much of the body the socket accepted. */
  const post = (path: string, body: Buffer, token?: string) =>
    new Promise<{ status?: number; body?: any; headers?: Record<string, unknown>; error?: string }>((resolve) => {
      const u = new URL(path, hub.gatewayUrl);
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': body.length,
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text ? JSON.parse(text) : undefined }));
        },
      );
      req.on('error', (err) => resolve({ error: String(err) }));
      req.end(body);
    });
  // What was kept is sealed at rest (README "Encryption at rest"): opened here to compare.
  const quarantined = async (id: number) => {
    const row = (await db.query(`SELECT sender, status, raw, raw_bytes, truncated, raw_sha256 FROM gateway.quarantine WHERE id = $1`, [id]))
      .rows[0];
    return { ...row, raw: dataKeys().open(row.raw) };
  };
  const refusals = async () => Number((await db.query(`SELECT count(*) FROM gateway.access_refusals`)).rows[0].count);

  it('no credential: 401 before the body is read, audited, nothing of the body kept', async () => {
    const big = Buffer.from(JSON.stringify({ ...exampleContact, narrative: 'n'.repeat(900 * 1024) }));
    const r = await post('/v1/agencies/police/contacts', big);
    expect(r.status).toBe(401);
    expect(r.headers?.connection).toBe('close');
    const row = await quarantined(r.body.quarantineId);
    // Never read: nothing of the 900 KB body reached the quarantine.
    expect(row).toMatchObject({ sender: 'unauthenticated:police', status: 401, raw: '', raw_bytes: 0 });
    const { rows } = await db.query(`SELECT credential, route, status FROM gateway.access_refusals ORDER BY id DESC LIMIT 1`);
    expect(rows[0]).toEqual({ credential: 'none', route: '/v1/agencies/:agency/contacts', status: 401 });
  });

  it('a wrong credential: the body is read, but only its first 4 KiB is kept, with the hash of the whole', async () => {
    const body = Buffer.from(JSON.stringify({ ...exampleContact, narrative: 'x'.repeat(200 * 1024) }));
    const r = await post('/v1/agencies/police/contacts', body, 'not-a-credential-the-hub-knows-0123456789');
    expect(r.status).toBe(401);
    const row = await quarantined(r.body.quarantineId);
    expect(row.raw).toBe(body.subarray(0, 4096).toString('utf8'));
    expect(row).toMatchObject({ raw_bytes: body.length, truncated: true, raw_sha256: createHash('sha256').update(body).digest('hex') });
  });

  it('past its allowance of refusals an address gets 429 and nothing is written; a valid credential still gets through', async () => {
    const before = await refusals();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post('/v1/agencies/police/contacts', Buffer.from('{}'))).status!);
    // Burst 4: two were used above; the next two are refused normally, then 429.
    expect(statuses).toEqual([401, 401, 429, 429, 429, 429]);
    expect((await refusals()) - before).toBe(2);
    const limited = await post('/v1/agencies/police/contacts', Buffer.from('{}'));
    expect(limited.status).toBe(429);
    expect(limited.headers?.['retry-after']).toBe('1');
    expect(limited.body).toMatchObject({ status: 429, detail: expect.stringMatching(/too many refused requests/) });
    expect(limited.body.quarantineId).toBeUndefined();

    const ok = await post(
      '/v1/agencies/police/contacts',
      Buffer.from(JSON.stringify({ ...exampleContact, agencyReference: `FD-${hub.runId}` })),
      TEST_TOKENS.police,
    );
    expect(ok.status).toBe(202);
  });
});
