import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateSchema } from '@mash/contracts';
import { exampleSchoolContact } from '@mash/contracts/examples';
import { loadPolicy } from '@mash/policy';
import { demoDecision } from '../../scripts/demoDecision';
import { startTestHub, TEST_TOKENS, TestHub } from '../support/hub';
import { freePort } from '../support/ports';
import { poll } from '../support/topics';

interface Mail {
  subject: string;
  to: string[];
  text: string;
}

/**
 * `npm start`'s email channel works on its own: the demo mailbox (scripts/mailbox, a real process
 * as npm start runs it) receives a school referrer's acknowledgement and outcome notice from the
 * real notifier, shows them on its page, and the notifier logs no delivery retry.
 */
describe('the demo mailbox catches the email channel', () => {
  let hub: TestHub;
  let mailboxUrl: string;

  beforeAll(async () => {
    const [smtpPort, httpPort] = [await freePort(), await freePort()];
    mailboxUrl = `http://127.0.0.1:${httpPort}`;
    hub = await startTestHub([], { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtpPort), MASH_NOTICE_POLL_MS: '100' }, { services: [] });
    await hub.start({
      name: 'mailbox',
      entry: 'scripts/mailbox',
      principal: null,
      env: { MAILBOX_SMTP_PORT: String(smtpPort), MAILBOX_HTTP_PORT: String(httpPort) },
    });
    await poll(
      async () => ((await fetch(`${mailboxUrl}/health/ready`).catch(() => undefined))?.ok ? true : undefined),
      30000,
      'the mailbox',
    );
    for (const s of ['gateway', 'triage', 'checks', 'notifier']) await hub.start({ name: s, entry: `apps/${s}/src/main` });
  }, 240000);

  afterAll(async () => {
    await hub?.stop();
  }, 60000);

  const mails = async () => ((await (await fetch(`${mailboxUrl}/messages`)).json()) as { messages: Mail[] }).messages;

  it('delivers the acknowledgement and the outcome notice to the mailbox, readable on its page, with no retry', async () => {
    const reference = `DEMO-MAIL-${hub.runId}`;
    const res = await fetch(`${hub.gatewayUrl}/v1/agencies/education/contacts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKENS.education}` },
      body: JSON.stringify({ ...exampleSchoolContact, agencyReference: reference }),
    });
    expect(res.status).toBe(202);
    const { contactId } = (await res.json()) as { contactId: string };
    const status = await poll(
      async () => {
        const s = (await (
          await fetch(`${hub.gatewayUrl}/v1/contacts/${contactId}`, { headers: { authorization: `Bearer ${TEST_TOKENS.education}` } })
        ).json()) as { caseId?: string; rating?: string };
        return s.caseId && s.rating ? s : undefined;
      },
      90000,
      'the contact rated',
    );

    const ack = await poll(
      async () => (await mails()).find((m) => m.subject.includes('received your contact') && m.subject.includes(reference)),
      60000,
      'the acknowledgement email',
    );
    expect(ack.to).toEqual([exampleSchoolContact.referrer.channel.kind === 'email' ? exampleSchoolContact.referrer.channel.address : '']);

    const decision = {
      ...demoDecision(status.rating!),
      urgentOverride: { reason: 'Demo mailbox test: deciding before every agency replied.' },
    };
    const decided = await poll(
      async () => {
        const r = await fetch(`${hub.gatewayUrl}/v1/cases/${status.caseId}/decision`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKENS.manager}` },
          body: JSON.stringify(decision),
        });
        return r.status === 201 ? r.status : undefined;
      },
      30000,
      'the decision recorded',
    );
    expect(decided).toBe(201);

    const outcome = await poll(
      async () => (await mails()).find((m) => m.subject.includes('outcome of your contact') && m.subject.includes(reference)),
      60000,
      'the outcome email',
    );
    expect(outcome.text).toContain(decision.responsibleTeam.name);
    const page = await (await fetch(`${mailboxUrl}/`)).text();
    expect(page).toContain(`MASH: outcome of your contact (ref ${reference})`);

    const notifierLog = readFileSync(hub.processes.get('notifier')!.logFile, 'utf8');
    expect(notifierLog).not.toMatch(/will retry/);
  }, 240000);
});

describe("the demo's sample decision", () => {
  const london = loadPolicy(join(__dirname, '..', '..', 'policies', 'london.json'));

  it.each(['RED', 'AMBER', 'GREEN', 'BLUE'])('for %s is a valid decision the London policy allows', (rating) => {
    const d = demoDecision(rating);
    // With what the gateway sets itself, the signed-in decision maker among them.
    const asEvent = {
      ...d,
      decisionId: 'dc-1',
      caseId: 'cs-1',
      contactId: 'ct-1',
      decidedAt: '2026-11-30T10:00:00Z',
      policyVersion: london.version,
      decisionMaker: { name: 'Amina Shah', role: 'decision-maker', subject: 'dm-amina.shah' },
    };
    const result = validateSchema('decisionRecorded', asEvent);
    expect(result.ok ? [] : result.errors).toEqual([]);
    for (const o of d.outcomes) expect(london.decisionOutcomes).toContain(o);
    expect(d.finalRating).toBe(rating);
  });

  it("says one thing: a strategy discussion is children's social care's under section 47, never early help; early help is the early help hub's", () => {
    const red = demoDecision('RED');
    expect(red.outcomes).toEqual(['strategy-discussion']);
    expect(`${red.nextSteps} ${red.responsibleTeam.name}`).not.toMatch(/early help/i);
    expect(red.nextSteps).toMatch(/section 47/);
    expect(red.responsibleTeam.name).toMatch(/Social Care/);
    const amber = demoDecision('AMBER');
    expect(amber.outcomes).toEqual(['early-help']);
    expect(`${amber.nextSteps} ${amber.responsibleTeam.name}`).toMatch(/early help/i);
    for (const rating of ['GREEN', 'BLUE']) expect(demoDecision(rating).nextSteps).not.toMatch(/early help|section 47|strategy/i);
  });
});
