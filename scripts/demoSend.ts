import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { demoAdapterClientToken, GatewayClient } from '@mash/adapter-kit';
import { toContact } from '../apps/adapters/police/src/translate';
import { repoRoot } from '@mash/policy';
import { demoDecision } from './demoDecision';
import { signIn } from './identity';

/**
 * `npm run demo:send`: a police PVP record (the police adapter's sample) goes in at the police
 * adapter, or straight to the gateway when no adapter runs; the script follows the contact through
 * rating and checks, records the decision AS THE DEMO DECISION MAKER when the case is ready, and
 * prints the outcome notice the police adapter received. Works against `npm start` on local defaults.
 */
const GATEWAY = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080';
const ADAPTER = process.env.POLICE_ADAPTER_URL ?? 'http://127.0.0.1:8091';
const POLICE_TOKEN = process.env.ADAPTER_TOKEN ?? 'demo-police-token';
/** What the police system presents to its adapter (the adapter's ADAPTER_CLIENT_TOKEN). */
const POLICE_CLIENT_TOKEN = process.env.ADAPTER_CLIENT_TOKEN ?? demoAdapterClientToken('police');
// A demo decision maker signs in at the demo identity provider (apps/identity/src/people.ts), as a
// council's staff would at theirs.
const ISSUER = process.env.MASH_OIDC_ISSUER ?? `http://127.0.0.1:${process.env.IDENTITY_PORT ?? 8070}`;
const DEMO_PERSON = { username: 'dm-amina.shah', password: 'demo-amina' };
let managerToken: string | undefined;
async function manager(): Promise<string> {
  managerToken ??= (
    await signIn({ issuer: ISSUER, redirectUri: `${GATEWAY}/workspace/callback` }, DEMO_PERSON.username, DEMO_PERSON.password)
  ).accessToken;
  return managerToken;
}
const TIMEOUT_MS = Number(process.env.DEMO_TIMEOUT_MS ?? 240_000);

const root = repoRoot();
const say = (line = '') => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function up(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health/live`, { signal: AbortSignal.timeout(5000) })).ok;
  } catch {
    return false;
  }
}

async function api<T>(path: string, token: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${GATEWAY}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  });
  return { status: res.status, body: (await res.json()) as T };
}

interface Status {
  contactId: string;
  stage: string;
  caseId?: string;
  rating?: string;
  deadline?: string;
  missingAgencies?: string[];
  history: { at: string; stage: string }[];
}

async function submit(native: object): Promise<string> {
  if (await up(ADAPTER)) {
    say(`Sending the native police record to the police adapter at ${ADAPTER}/records ...`);
    const res = await fetch(`${ADAPTER}/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${POLICE_CLIENT_TOKEN}` },
      body: JSON.stringify(native),
    });
    const body = (await res.json()) as {
      contactId?: string;
      error?: string;
      errors?: unknown[];
      timescales?: Record<string, string>;
      nextSteps?: string;
    };
    if (!body.contactId) throw new Error(`the police adapter answered ${res.status}: ${JSON.stringify(body)}`);
    printAcceptance(res.status, body);
    return body.contactId;
  }
  say(`No police adapter at ${ADAPTER}: translating here and sending straight to the gateway at ${GATEWAY} ...`);
  const translated = toContact(native);
  if (!translated.ok) throw new Error(`the sample does not translate: ${JSON.stringify(translated.errors)}`);
  const answer = await new GatewayClient({ gatewayUrl: GATEWAY, agency: 'police', token: POLICE_TOKEN }).submit(translated.contact);
  if (answer.kind !== 'accepted') throw new Error(`the gateway did not accept it: ${JSON.stringify(answer)}`);
  printAcceptance(answer.status, answer.body);
  return answer.body.contactId;
}

function printAcceptance(
  status: number,
  body: { contactId?: string; receivedAt?: string; nextSteps?: string; timescales?: Record<string, string> },
): void {
  say(`  HTTP ${status}: contact ${body.contactId}, received ${body.receivedAt}`);
  say(`  next: ${body.nextSteps}`);
  for (const [rating, text] of Object.entries(body.timescales ?? {})) say(`  ${rating.padEnd(5)} within ${text}`);
  say();
}

async function decide(status: Status): Promise<void> {
  const MANAGER_TOKEN = await manager();
  const picture = await api<{ rating: string; replied: string[]; missing: string[]; chronology: unknown[] }>(
    `/v1/cases/${status.caseId}`,
    MANAGER_TOKEN,
  );
  // The demo reads the case as the decision maker: one audited disclosure per look, as in real use.
  say(
    `  case ${status.caseId}: rating ${picture.body.rating}; replied ${picture.body.replied.join(', ') || 'none'}; missing ${picture.body.missing.join(', ') || 'none'}; ${picture.body.chronology.length} chronology entries`,
  );
  say();
  say('  ******************************************************************************');
  say('  * In real use a named MASH manager reads the case and records this decision. *');
  say('  * The demo signs in as dm-amina.shah (a demo decision maker) and records it.  *');
  say('  ******************************************************************************');
  const chosen = demoDecision(picture.body.rating);
  const decision = await api<{ decisionId?: string; detail?: string }>(`/v1/cases/${status.caseId}/decision`, MANAGER_TOKEN, {
    method: 'POST',
    body: JSON.stringify(chosen),
  });
  if (decision.status !== 201) throw new Error(`the decision was refused (${decision.status}): ${JSON.stringify(decision.body)}`);
  say(
    `  decision ${decision.body.decisionId} recorded: ${chosen.outcomes.join(', ')}, final rating ${picture.body.rating}; ${chosen.responsibleTeam.name}`,
  );
  say();
}

async function printNotice(contactId: string, deadline: number): Promise<void> {
  if (!(await up(ADAPTER))) {
    say('(No police adapter running, so no notice to show; the status above says whether the referrer was informed.)');
    return;
  }
  while (Date.now() < deadline) {
    const res = (await (
      await fetch(`${ADAPTER}/notices?contactId=${encodeURIComponent(contactId)}`, {
        headers: { authorization: `Bearer ${POLICE_CLIENT_TOKEN}` },
      })
    ).json()) as { notices: { receivedAt: string; notice: { kind: string; noticeId: string; text: string } }[] };
    const outcome = res.notices.find((n) => n.notice.kind === 'outcome');
    if (outcome) {
      say(`The police adapter received the outcome notice ${outcome.notice.noticeId} at ${outcome.receivedAt} (${ADAPTER}/notices):`);
      say();
      say(outcome.notice.text.replace(/^/gm, '  | '));
      say();
      for (const n of res.notices.filter((x) => x.notice.kind !== 'outcome'))
        say(`  (also received: ${n.notice.kind} notice ${n.notice.noticeId})`);
      return;
    }
    await sleep(500);
  }
  throw new Error('no outcome notice reached the police adapter in time');
}

async function main(): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  const native = JSON.parse(readFileSync(join(root, 'apps', 'adapters', 'police', 'samples', 'pvp-domestic-abuse-medium.json'), 'utf8'));
  // A fresh reference each run: the same reference again would be the same contact, already decided.
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  native.notificationId = `PVP-DEMO-${stamp}`;
  // And a fresh incident: the same occurrence number again is the same incident, which triage
  // rightly joins to the case already decided instead of opening a new one.
  native.occurrenceNumber = `01/${stamp.slice(8)}/26`;
  if (!(await up(GATEWAY))) throw new Error(`no gateway at ${GATEWAY}: start the hub with npm start`);
  const contactId = await submit(native);

  say(`Following contact ${contactId} (GET ${GATEWAY}/v1/contacts/${contactId} as the police adapter):`);
  let shown = 0;
  let decided = false;
  let nextCaseLook = 0;
  while (Date.now() < deadline) {
    const { body: s } = await api<Status>(`/v1/contacts/${contactId}`, POLICE_TOKEN);
    for (const h of (s.history ?? []).slice(shown)) {
      const extra =
        h.stage.includes('rated') || h.stage === 'checks-in-progress' ? ` (rating ${s.rating}, decision due by ${s.deadline})` : '';
      say(`  ${h.at}  ${h.stage}${extra}`);
    }
    shown = s.history?.length ?? shown;
    // Readiness is the case's, not the contact's: a contact about a family the hub already knows
    // joins that family's case, which may be ready (or decided) already. So ask as the decision
    // maker would, from the case.
    if (!decided && s.caseId && Date.now() >= nextCaseLook) {
      nextCaseLook = Date.now() + 2000;
      const { body: c } = await api<{ ready: boolean; decisionId?: string }>(`/v1/cases/${s.caseId}`, await manager());
      if (c.decisionId) {
        decided = true;
        say(
          `  this contact joined case ${s.caseId}, which was decided earlier (decision ${c.decisionId}); its notice follows from that decision`,
        );
      } else if (c.ready) {
        decided = true;
        say(`  case ${s.caseId} is ready for decision`);
        await decide(s);
      }
    }
    if (['referrer-informed', 'no-referrer-channel', 'notice-failed'].includes(s.stage)) break;
    await sleep(500);
  }
  if (!decided) throw new Error(`the case was not ready for decision within ${TIMEOUT_MS / 1000} s`);
  say();
  await printNotice(contactId, deadline);
}

main().catch((err) => {
  process.stderr.write(`demo:send failed: ${(err as Error).message}\n`);
  process.exit(1);
});
