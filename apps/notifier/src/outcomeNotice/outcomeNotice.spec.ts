import type { DecisionOutcome } from '@mash/contracts';
import { acknowledgementNotice, closingNotice, outcomeNotice } from './compose';
import { ANONYMOUS, contactReceivedFixture, decisionFixture, GP, NEIGHBOUR, noticeContactFixture, noticeSchemaErrors } from './fixtures';
import { OUTCOME_ORDER } from './outcomeText';

const NOW = new Date('2026-11-21T10:31:00Z');

function expectValid(notice: unknown) {
  expect(noticeSchemaErrors(notice)).toEqual([]);
}

describe('outcome notice text per outcome', () => {
  const cases: [DecisionOutcome, RegExp[]][] = [
    ['nfa', [/No further action by children's social care/, /did not meet the threshold/, /Team Around the Child/]],
    ['advice', [/Advice and information given/, /No involvement from children's social care is planned/]],
    ['signposting', [/Signposted to universal or community services/, /no obligation to use them/]],
    ['early-help', [/Stepped across to early help/, /Early help is voluntary/]],
    ['social-care-assessment', [/Stepped up to children's social care/, /section 17 of the Children Act 1989/, /45 working days/]],
    ['strategy-discussion', [/Strategy discussion/, /section 47/]],
    ['marac-referral', [/Referred to MARAC/, /independent domestic violence adviser/]],
    ['transfer', [/Transferred to another area's MASH/, /another local authority area/]],
    ['information-provided', [/Information provided/, /information it can lawfully share/]],
  ];

  it.each(cases)('%s', (outcome, patterns) => {
    const n = outcomeNotice(decisionFixture({ outcomes: [outcome] }), noticeContactFixture(), NOW);
    for (const p of patterns) expect(n.text).toMatch(p);
    expect(n.outcomes).toEqual([outcome]);
    // Only the chosen outcome's heading: the others must not leak in from a shared template.
    for (const [other, [heading]] of cases) if (other !== outcome) expect(n.text).not.toMatch(heading!);
    expectValid(n);
  });

  it('the schema check used throughout rejects a malformed notice', () => {
    const n = outcomeNotice(decisionFixture(), noticeContactFixture(), NOW);
    expect(noticeSchemaErrors({ ...n, noticeId: 'not an id' })).not.toEqual([]);
  });

  it('covers every outcome the contract defines', () => {
    expect(new Set(cases.map(([o]) => o))).toEqual(new Set(OUTCOME_ORDER));
  });

  it('lists several outcomes, most significant first', () => {
    const n = outcomeNotice(decisionFixture({ outcomes: ['nfa', 'signposting', 'marac-referral'] }), noticeContactFixture(), NOW);
    expect(n.outcomes).toEqual(['marac-referral', 'signposting', 'nfa']);
    const order = ['Referred to MARAC', 'Signposted to', 'No further action'].map((s) => n.text.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});

describe('outcome notice content', () => {
  const decision = decisionFixture({
    outcomes: ['nfa', 'signposting'],
    signposting: 'Exampleton Family Hub, 020 7946 0123, drop-in Tuesdays',
    nextSteps: 'The school will be offered a Team Around the Child meeting.',
  });

  it('says who decided, the responsible team in and out of hours, how to re-contact, and quotes both references', () => {
    const n = outcomeNotice(decision, noticeContactFixture(GP), NOW);
    expect(n.text).toContain('Decided by Sam Manager, MASH team manager (social work), on 21 November 2026 at 10:30.');
    expect(n.text).toContain('Responsible team: Exampleton MASH');
    expect(n.text).toContain('In office hours: 020 7946 0000 (Mon-Fri 9-5)');
    expect(n.text).toContain('Out of hours: Emergency duty team 020 7946 0999');
    expect(n.text).toContain('call 999');
    expect(n.text).toContain('quoting MASH reference CON-0001');
    expect(n.text).toContain('Your reference: PVP-2026-000123');
    expect(n.text).toContain('Where to go instead, or as well: Exampleton Family Hub');
    expect(n.text).toContain('What happens next: The school will be offered');
    expect(n.text).toContain('Dear Dr Alex Greene,');
    expect(n.text).toMatch(/resolving professional disagreements/);
    expect(n.decidedBy).toEqual({ name: 'Sam Manager', role: 'MASH team manager (social work)' });
    expect(n.responsibleTeam).toEqual(decision.responsibleTeam);
    expect(n.recipient).toBe('Exampleton Medical Practice');
    expect(n).toMatchObject({ kind: 'outcome', caseId: 'CASE-0001', contactId: 'CON-0001', issuedAt: NOW.toISOString() });
    expectValid(n);
  });

  it('shows decision times in UK local time (BST in summer)', () => {
    const n = outcomeNotice(decisionFixture({ decidedAt: '2026-07-01T23:30:00Z' }), noticeContactFixture(), NOW);
    expect(n.text).toContain('on 2 July 2026 at 00:30.');
  });

  it('does not invent an out-of-hours number when the team has none', () => {
    const n = outcomeNotice(decisionFixture({ responsibleTeam: { name: 'Team A', inHours: '0100' } }), noticeContactFixture(), NOW);
    expect(n.text).toContain('Out of hours: contact the emergency duty service through the council');
    expect(n.responsibleTeam).toEqual({ name: 'Team A', inHours: '0100' });
  });

  it('tells a member of the public that a decision was made, not what happens to the family, and how far anonymity holds', () => {
    const n = outcomeNotice(decision, noticeContactFixture(NEIGHBOUR), NOW);
    expect(n.text).toMatch(/we cannot tell you what action has been or will be taken/);
    expect(n.text).toMatch(/We cannot promise complete anonymity: a court\s+can order/);
    expect(n.text).toContain('Decided by Sam Manager');
    expect(n.text).toContain('Responsible team: Exampleton MASH');
    for (const label of ['No further action', 'Signposted', 'Family Hub', 'Team Around the Child meeting', 'disagreements']) {
      expect(n.text).not.toContain(label);
    }
    expect(n.outcomes).toBeUndefined();
    expect(n.recipient).toBe('member of the public');
    expect(JSON.stringify(n)).not.toContain('Neighbour');
    expect(JSON.stringify(n)).not.toContain('07700');
    expect(n.text).toContain('Dear referrer,');
    expectValid(n);
  });

  it('tells an anonymous referrer we cannot reach them', () => {
    const n = outcomeNotice(decision, noticeContactFixture(ANONYMOUS), NOW);
    expect(n.text).toContain('You did not give your name');
    expect(n.recipient).toBe('anonymous referrer');
  });

  it('tells a family that referred itself the outcome in full, without the anonymity paragraph', () => {
    const n = outcomeNotice(decision, noticeContactFixture({ ...NEIGHBOUR, source: '1C' }), NOW);
    expect(n.text).toContain("No further action by children's social care");
    expect(n.text).not.toContain('Your identity');
    expect(n.text).not.toContain('disagreements');
    expect(n.recipient).toBe('self-referrer');
  });

  it('refuses a decision joined to a contact of another case', () => {
    expect(() => outcomeNotice(decisionFixture(), { ...noticeContactFixture(), caseId: 'CASE-OTHER' }, NOW)).toThrow(/another case/);
    expect(outcomeNotice(decisionFixture(), { ...noticeContactFixture(), caseId: 'CASE-0001' }, NOW).caseId).toBe('CASE-0001');
  });

  it('tells every referrer of a case that joined several contacts, each with its own reference', () => {
    const decision = decisionFixture({ contactId: 'CON-0001' });
    const second = outcomeNotice(decision, { ...noticeContactFixture(), contactId: 'CON-0002', agencyReference: 'PVP-2026-000200' }, NOW);
    expect(second.contactId).toBe('CON-0002');
    expect(second.text).toContain('quoting MASH reference CON-0002');
    expect(second.noticeId).not.toBe(outcomeNotice(decision, noticeContactFixture(), NOW).noticeId);
  });
});

describe('notice ids', () => {
  it('are the same when a decision is delivered twice, whenever it is composed', () => {
    const a = outcomeNotice(decisionFixture(), noticeContactFixture(), NOW);
    const b = outcomeNotice(decisionFixture(), noticeContactFixture(), new Date(NOW.getTime() + 3_600_000));
    expect(b.noticeId).toBe(a.noticeId);
  });

  it('differ by decision, recipient and kind', () => {
    const base = outcomeNotice(decisionFixture(), noticeContactFixture(), NOW).noticeId;
    const ids = [
      base,
      outcomeNotice(decisionFixture({ decisionId: 'DEC-0002' }), noticeContactFixture(), NOW).noticeId,
      outcomeNotice(decisionFixture(), noticeContactFixture(GP), NOW).noticeId,
      closingNotice(decisionFixture(), 'police', NOW).noticeId,
      closingNotice(decisionFixture(), 'health', NOW).noticeId,
      acknowledgementNotice(contactReceivedFixture(), undefined, NOW).noticeId,
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('acknowledgement', () => {
  it('acknowledges receipt, says what happens next and the timescale', () => {
    const n = acknowledgementNotice(contactReceivedFixture(), 'a decision within 1 working day (Amber).', NOW, { caseId: 'CASE-0001' });
    expect(n.text).toContain('We received your contact on 20 November 2026 at 23:05.');
    expect(n.text).toContain('What happens next');
    expect(n.text).toContain('Timescale: a decision within 1 working day (Amber).');
    expect(n.text).toContain('MASH reference: CON-0001');
    expect(n).toMatchObject({
      kind: 'acknowledgement',
      caseId: 'CASE-0001',
      contactId: 'CON-0001',
      recipient: 'Example Constabulary',
      agencyReference: 'PVP-2026-000123',
    });
    expectValid(n);
  });

  it('keys by contact until there is a case, and does not invent a timescale', () => {
    const n = acknowledgementNotice(contactReceivedFixture(), undefined, NOW);
    expect(n.caseId).toBe('CON-0001');
    expect(n.text).toContain('as quickly as the level of risk requires');
    expect(n.text).toContain('call 999');
  });

  it('gives the MASH contact details when configured, and the anonymity paragraph to the public', () => {
    const mash = { name: 'Exampleton MASH', inHours: '020 7946 0000', outOfHours: '020 7946 0999' };
    const n = acknowledgementNotice(contactReceivedFixture(NEIGHBOUR), undefined, NOW, { mash });
    expect(n.text).toContain('Out of hours: 020 7946 0999');
    expect(n.text).toContain('Your identity');
    expect(n.responsibleTeam).toEqual(mash);
    expect(JSON.stringify(n)).not.toContain('Neighbour');
    expectValid(n);
  });
});

describe('closing notice to a contributing agency', () => {
  it('says what was decided, by whom, and who holds the case, and nothing written for the referrer', () => {
    const d = decisionFixture({
      outcomes: ['early-help', 'advice'],
      nextSteps: 'Police to arrange a visit on Friday',
      signposting: 'Family Hub',
    });
    const n = closingNotice(d, 'health', NOW);
    expect(n.text).toContain('To: Health');
    expect(n.text).toContain('MASH case reference: CASE-0001');
    expect(n.text).toContain('Stepped across to early help');
    expect(n.text).toContain('Advice and information given');
    expect(n.text).toContain('Decided by Sam Manager');
    expect(n.text).toContain('In office hours: 020 7946 0000');
    expect(n.text).not.toContain('Police to arrange');
    expect(n.text).not.toContain('Family Hub');
    expect(n).toMatchObject({
      kind: 'closing',
      recipient: 'health',
      outcomes: ['early-help', 'advice'],
      caseId: 'CASE-0001',
      contactId: 'CON-0001',
    });
    expectValid(n);
  });
});
