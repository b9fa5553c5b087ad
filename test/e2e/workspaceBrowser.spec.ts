import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { BrowserContext, Page } from 'playwright-core';
import { NoticeIssued, noticeIssuedTopic } from '@mash/contracts';
import { exampleContact } from '@mash/contracts/examples';
import { startTestHub, TEST_MANAGER, TEST_TOKENS, TestHub } from '../support/hub';
import { untilReadyForDecision } from '../support/readiness';
import { TopicWatcher } from '../support/topics';
import { openJsonb } from '@mash/at-rest';

/**
 * The decision workspace in Debian's Chromium, end to end on the real hub: a manager signs in at the
 * identity provider, sees the Red case counting down in the queue, opens it, reads every agency's
 * reply, records a decision through the form, and the police referrer's outcome notice arrives.
 * axe-core checks every page for serious or critical WCAG 2.2 A/AA violations. Screenshots are kept
 * in .run/screenshots/workspace (gitignored, like the rest of .run).
 */
const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const describeInBrowser = haveChromium ? describe : describe.skip;
if (!haveChromium)
  process.stderr.write(`workspaceBrowser.spec: SKIPPED, ${CHROMIUM} is absent (apt-get install -y chromium; .ci/run installs it)\n`);

const SHOTS = join(__dirname, '..', '..', '.run', 'screenshots', 'workspace');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core on the page as it stands: the serious and critical violations of WCAG 2.x A/AA (2.2 included). */
async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol, so the page's CSP (no inline script) stays in force.
  await page.evaluate(`${AXE}\n;0`);
  const result = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })`,
  )) as { violations: AxeViolation[]; passes: unknown[] };
  expect(result.passes.length).toBeGreaterThan(5);
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

describeInBrowser(`the decision workspace in a real browser${haveChromium ? '' : ` (SKIPPED: ${CHROMIUM} absent)`}`, () => {
  let hub: TestHub;
  let notices: TopicWatcher;
  let db: Client;
  let context: BrowserContext | undefined;
  let userDataDir: string;
  let page: Page;

  beforeAll(async () => {
    hub = await startTestHub(
      (['police', 'health', 'education'] as const).map((a) => ({ name: `connector-${a}`, entry: `apps/connectors/${a}/src/main` })),
    );
    notices = new TopicWatcher(hub.env.KAFKA_BROKERS, hub.env.MASH_TOPIC_PREFIX);
    await notices.watch([noticeIssuedTopic('police')]);
    db = new Client({ connectionString: hub.env.DATABASE_URL });
    await db.connect();
    mkdirSync(SHOTS, { recursive: true });
    userDataDir = mkdtempSync(join(tmpdir(), 'mash-workspace-chromium-'));
    const { chromium } = await import('playwright-core');
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
  }, 480000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    await db?.end();
    await notices?.stop();
    await hub?.stop();
  }, 60000);

  const api = (path: string, token: string, init: RequestInit = {}) =>
    fetch(`${hub.gatewayUrl}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
    });

  it('a manager signs in, sees the Red case counting down, reads every reply, decides, and the referrer is told', async () => {
    const contact = { ...exampleContact, agencyReference: `PVP-WS-${hub.runId}` };
    const submitted = await api('/v1/agencies/police/contacts', TEST_TOKENS.police, { method: 'POST', body: JSON.stringify(contact) });
    expect(submitted.status).toBe(202);
    const { contactId } = (await submitted.json()) as { contactId: string };
    // Police and the school report current domestic abuse: re-rated Red at the end of checks.
    const ready = await untilReadyForDecision(hub, TEST_TOKENS.police, contactId, { reRated: true });
    expect(ready.rating).toBe('RED');
    const { caseId } = ready;

    // Not signed in: the workspace sends the browser to the identity provider's login page.
    await page.goto(`${hub.gatewayUrl}/workspace`);
    await page.waitForURL((u) => u.toString().startsWith(hub.env.MASH_OIDC_ISSUER), { timeout: 15000 });
    await page.fill('#username', TEST_MANAGER.subject);
    await page.fill('#password', TEST_MANAGER.password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${hub.gatewayUrl}/workspace`, { timeout: 15000 });
    // The cookie is scoped to /workspace: asked for the origin alone, the browser would not list it.
    const cookies = await context!.cookies(`${hub.gatewayUrl}/workspace`);
    const session = cookies.find((c) => c.name === 'mash_ws');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/workspace' });

    // The queue: the Red case, ready, counting down.
    expect(await page.locator('header').textContent()).toContain(TEST_MANAGER.name);
    const row = page.locator(`#ready ~ table tr[data-case-id="${caseId}"]`);
    await row.waitFor({ timeout: 10000 });
    expect(await row.getAttribute('data-rating')).toBe('RED');
    expect(await row.locator('.tag').textContent()).toBe('RED');
    const first = await row.locator('.countdown').textContent();
    expect(first).toMatch(/^\d+h \d\dm \d\ds left$/);
    // Read from outside the page: the workspace's Content-Security-Policy forbids eval, as it should,
    // and Playwright's waitForFunction would need it.
    for (const until = Date.now() + 5000; (await row.locator('.countdown').textContent()) === first && Date.now() < until;)
      await page.waitForTimeout(200);
    const second = await row.locator('.countdown').textContent();
    const secs = (t: string) => {
      const [, h, m, s] = /^(\d+)h (\d\d)m (\d\d)s/.exec(t)!;
      return Number(h) * 3600 + Number(m) * 60 + Number(s);
    };
    expect(secs(second!)).toBeLessThan(secs(first!));
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, '1-queue.png'), fullPage: true });

    // The case page: every agency's reply, read through the page and audited like the API's read.
    await row.locator('a').click();
    await page.waitForURL(`${hub.gatewayUrl}/workspace/cases/${caseId}`);
    expect(await page.locator('h1').textContent()).toContain(`Case ${caseId}`);
    const picture = (await (await api(`/v1/cases/${caseId}`, TEST_TOKENS.manager)).json()) as {
      replied: string[];
      chronology: { agency: string; summary: string }[];
    };
    expect(picture.replied.sort()).toEqual(['education', 'health', 'police']);
    for (const agency of picture.replied) {
      const section = page.locator(`section.reply[data-agency="${agency}"]`);
      expect(['replied', 'late']).toContain(await section.getAttribute('data-status'));
      for (const e of picture.chronology.filter((x) => x.agency === agency)) expect(await section.textContent()).toContain(e.summary);
    }
    for (const s of contact.subjects) if (s.givenName) expect(await page.locator('main').textContent()).toContain(s.givenName);
    expect(await page.locator('h3', { hasText: 'At the end of checks' }).textContent()).toContain('RED');
    const reads = await db.query(
      `SELECT principal, detail FROM gateway.disclosure_audit WHERE action = 'read-case' AND case_id = $1 ORDER BY at, id`,
      [caseId],
    );
    expect(reads.rows).toEqual(
      expect.arrayContaining([{ principal: TEST_MANAGER.subject, detail: expect.objectContaining({ via: 'workspace' }) }]),
    );
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, '2-case.png'), fullPage: true });

    // A changed rating without its reason is refused by the decision rules, named beside the field, and nothing is recorded.
    await page.check('#outcome-early-help');
    await page.selectOption('#finalRating', 'AMBER');
    await page.fill('#teamName', 'Early Help Hub North');
    await page.fill('#teamInHours', '01234 567890');
    await page.click('button:has-text("Record decision")');
    await page.locator('#error-summary').waitFor({ timeout: 10000 });
    expect(await page.locator('#ratingChangeReason-error').textContent()).toContain('ratingChangeReason is required');
    expect((await db.query(`SELECT count(*)::int AS n FROM gateway.decisions WHERE case_id = $1`, [caseId])).rows[0].n).toBe(0);
    expect(await page.inputValue('#teamName')).toBe('Early Help Hub North');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, '3-refused.png'), fullPage: true });

    await page.fill('#ratingChangeReason', 'The last police incident was four days ago and the family engage with early help.');
    await page.click('button:has-text("Record decision")');
    await page.locator('#decided').waitFor({ timeout: 10000 });
    expect(await page.locator('#decided').textContent()).toContain(TEST_MANAGER.name);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SHOTS, '4-decided.png'), fullPage: true });

    const [decision] = (await db.query(`SELECT recorded_by, body FROM gateway.decisions WHERE case_id = $1`, [caseId])).rows;
    expect(decision.recorded_by).toBe(TEST_MANAGER.subject);
    expect(openJsonb(decision.body)).toMatchObject({
      outcomes: ['early-help'],
      finalRating: 'AMBER',
      responsibleTeam: { name: 'Early Help Hub North', inHours: '01234 567890' },
    });

    const notice = await notices.waitFor<NoticeIssued>(
      (e) => e.envelope.data.contactId === contactId && e.envelope.data.kind === 'outcome',
      60000,
    );
    expect(notice.envelope.data.outcomes).toEqual(['early-help']);
    expect(notice.envelope.data.decidedBy).toEqual({ name: TEST_MANAGER.name, role: 'decision-maker' });
  }, 300000);

  it('acts on no form that lacks the session token, and keeps it in the quarantine', async () => {
    const before = (await db.query(`SELECT count(*)::int AS n FROM gateway.quarantine WHERE channel = 'workspace-consent-override'`))
      .rows[0].n;
    // The browser's cookie goes with it (as with a form posted from another site), the token does not.
    const res = await page.request.post(`${hub.gatewayUrl}/workspace/cases/CS-none/consent-override`, {
      form: { basis: 'section-47', reason: 'forged' },
      maxRedirects: 0,
    });
    expect(res.status()).toBe(403);
    expect(await res.text()).toContain('nothing was recorded');
    const after = (await db.query(`SELECT count(*)::int AS n FROM gateway.quarantine WHERE channel = 'workspace-consent-override'`)).rows[0]
      .n;
    expect(after).toBe(before + 1);
  }, 30000);

  it('signs out: the session is gone from the server, and the next page asks for sign-in again', async () => {
    await page.goto(`${hub.gatewayUrl}/workspace`);
    await page.click('button:has-text("Sign out")');
    await page.locator('h1', { hasText: 'Signed out' }).waitFor({ timeout: 10000 });
    expect((await db.query(`SELECT count(*)::int AS n FROM gateway.workspace_sessions`)).rows[0].n).toBe(0);
    const res = await page.request.get(`${hub.gatewayUrl}/workspace`, { maxRedirects: 0 });
    expect(res.status()).toBe(303);
    expect(res.headers().location).toMatch(/^\/workspace\/login\?return=/);
  }, 30000);
});
