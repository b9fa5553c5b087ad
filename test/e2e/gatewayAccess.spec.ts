import { Client } from 'pg';
import { isSealed, openJsonb } from '@mash/at-rest';
import { exampleContact } from '@mash/contracts/examples';
import { startTestHub, TEST_TOKENS, TestHub } from '../support/hub';

const BOARD_TOKEN = 'test-wall-board-token-0001';
const OLD_OPS_TOKEN = 'test-old-ops-token-0001';
const BASE_CREDENTIALS = [
  ...(['police', 'health', 'education', 'contact-centre'] as const).map((a) => `${a}=adapter:${TEST_TOKENS[a]}`),
  `ops=ops:${TEST_TOKENS.ops}`,
  `wall-board=board:${BOARD_TOKEN}`,
];

/**
 * One guard for every route of a real gateway: a missing, unknown or wrong-role credential is
 * refused on each, and each refusal is audited (who, what, when, why); the board's own role reads
 * the board and nothing else; a principal removed from the configuration is refused after a restart.
 */
describe('gateway access: one guard, every refusal audited, removal revokes', () => {
  let hub: TestHub;
  let db: Client;

  beforeAll(async () => {
    hub = await startTestHub(
      [],
      { MASH_CREDENTIALS: [...BASE_CREDENTIALS, `old-ops=ops:${OLD_OPS_TOKEN}`].join(',') },
      { services: ['gateway'] },
    );
    db = new Client({ connectionString: hub.env.DATABASE_URL });
    await db.connect();
  }, 120000);

  afterAll(async () => {
    await db?.end();
    await hub?.stop();
  }, 60000);

  const call = (method: string, path: string, token?: string, body?: unknown) =>
    fetch(`${hub.gatewayUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  const decision = {
    decisionMaker: { name: 'Sam Patel', role: 'MASH team manager' },
    outcomes: ['nfa'],
    finalRating: 'GREEN',
    responsibleTeam: { name: 'MASH', inHours: '01234 567890' },
  };
  // Every guarded route, a credential of a role it does not allow, and the status that role gets.
  const ROUTES: { method: string; path: string; route: string; body?: unknown; wrong: () => string; wrongStatus: number }[] = [
    {
      method: 'POST',
      path: '/v1/agencies/police/contacts',
      route: '/v1/agencies/:agency/contacts',
      body: exampleContact,
      wrong: () => TEST_TOKENS.manager,
      wrongStatus: 401,
    },
    { method: 'GET', path: '/v1/contacts/CT-none', route: '/v1/contacts/:id', wrong: () => BOARD_TOKEN, wrongStatus: 403 },
    { method: 'GET', path: '/v1/cases/CS-none', route: '/v1/cases/:id', wrong: () => TEST_TOKENS.police, wrongStatus: 403 },
    {
      method: 'POST',
      path: '/v1/cases/CS-none/decision',
      route: '/v1/cases/:caseId/decision',
      body: decision,
      wrong: () => TEST_TOKENS.police,
      wrongStatus: 403,
    },
    {
      method: 'POST',
      path: '/v1/cases/CS-none/consent-override',
      route: '/v1/cases/:caseId/consent-override',
      body: { basis: 'section-47' },
      wrong: () => BOARD_TOKEN,
      wrongStatus: 403,
    },
    {
      method: 'POST',
      path: '/v1/cases/CS-none/legal-hold',
      route: '/v1/cases/:caseId/legal-hold',
      body: { held: true },
      wrong: () => BOARD_TOKEN,
      wrongStatus: 403,
    },
    { method: 'GET', path: '/v1/board', route: '/v1/board', wrong: () => TEST_TOKENS.police, wrongStatus: 403 },
    { method: 'GET', path: '/v1/ops/quarantine', route: '/v1/ops/quarantine', wrong: () => TEST_TOKENS.manager, wrongStatus: 403 },
    { method: 'GET', path: '/v1/ops/quarantine/1', route: '/v1/ops/quarantine/:id', wrong: () => BOARD_TOKEN, wrongStatus: 403 },
    { method: 'GET', path: '/v1/ops/lag', route: '/v1/ops/lag', wrong: () => TEST_TOKENS.manager, wrongStatus: 403 },
  ];

  it('refuses a missing, an unknown and a wrong-role credential on every route, and audits each refusal', async () => {
    const started = new Date();
    for (const r of ROUTES) {
      const got = [
        (await call(r.method, r.path, undefined, r.body)).status,
        (await call(r.method, r.path, 'not-a-real-token-0000', r.body)).status,
        (await call(r.method, r.path, r.wrong(), r.body)).status,
      ];
      expect({ route: r.route, got }).toEqual({ route: r.route, got: [401, 401, r.wrongStatus] });
    }
    const { rows } = await db.query(
      `SELECT at, principal, credential, method, route, params, status, reason FROM gateway.access_refusals WHERE at >= $1 ORDER BY id`,
      [started],
    );
    expect(rows).toHaveLength(ROUTES.length * 3);
    ROUTES.forEach((r, i) => {
      const [none, unknown, wrong] = rows.slice(i * 3, i * 3 + 3);
      expect([none, unknown, wrong].map((x) => ({ method: x.method, route: x.route, status: x.status }))).toEqual(
        [401, 401, r.wrongStatus].map((status) => ({ method: r.method, route: r.route, status })),
      );
      expect([none.credential, unknown.credential, wrong.credential]).toEqual(['none', 'unknown', 'valid']);
      expect(none.principal).toBeNull();
      expect(wrong.principal).toBeTruthy();
      expect(wrong.reason).toMatch(/role/);
      expect(none.at.getTime()).toBeGreaterThanOrEqual(started.getTime() - 1000);
    });
    // The resource the refused caller asked for is named: which case, which quarantined row. The
    // ids are the caller's free text, so they are sealed at rest (the test hub runs on the demo keys).
    const refusedRead = rows.find((x) => x.route === '/v1/cases/:id');
    expect(isSealed(refusedRead.params)).toBe(true);
    expect(openJsonb(refusedRead.params)).toEqual({ id: 'CS-none' });
    // The token itself is never kept.
    expect(JSON.stringify(rows)).not.toContain('not-a-real-token-0000');
  });

  it('keeps a refused decision body in the quarantine, as before the guard', async () => {
    const res = await call('POST', '/v1/cases/CS-none/decision', TEST_TOKENS.police, decision);
    const body = (await res.json()) as { quarantineId: number };
    expect(res.status).toBe(403);
    const [row] = (await db.query(`SELECT sender, channel, status FROM gateway.quarantine WHERE id = $1`, [body.quarantineId])).rows;
    expect(row).toEqual({ sender: 'police', channel: 'http-decision', status: 403 });
  });

  it('lets the board role read the board and nothing else', async () => {
    expect((await call('GET', '/v1/board', BOARD_TOKEN)).status).toBe(200);
    for (const r of ROUTES.filter((x) => x.route !== '/v1/board')) {
      expect({ route: r.route, status: (await call(r.method, r.path, BOARD_TOKEN, r.body)).status }).toEqual({
        route: r.route,
        status: r.route.startsWith('/v1/agencies') ? 401 : 403,
      });
    }
  });

  it('revokes a principal removed from the configuration, and audits its refused attempt under its name', async () => {
    expect((await call('GET', '/v1/ops/lag', OLD_OPS_TOKEN)).status).toBe(200);
    hub.env.MASH_CREDENTIALS = BASE_CREDENTIALS.join(',');
    await hub.restart('gateway');
    expect((await call('GET', '/v1/ops/lag', OLD_OPS_TOKEN)).status).toBe(401);
    expect((await call('GET', '/v1/ops/lag', TEST_TOKENS.ops)).status).toBe(200);
    const [cred] = (await db.query(`SELECT revoked_at IS NOT NULL AS revoked FROM gateway.credentials WHERE principal = 'old-ops'`)).rows;
    expect(cred.revoked).toBe(true);
    const [audit] = (
      await db.query(
        `SELECT principal, credential, status FROM gateway.access_refusals WHERE principal = 'old-ops' ORDER BY id DESC LIMIT 1`,
      )
    ).rows;
    expect(audit).toEqual({ principal: 'old-ops', credential: 'revoked', status: 401 });
  }, 120000);
});
