import type { DecisionOutcome, NoticeIssued } from '@mash/contracts';
import { closingNotice, outcomeNotice } from '../outcomeNotice';
import { decisionFixture, GP, NEIGHBOUR, noticeContactFixture, SENSITIVE_STRINGS } from '../outcomeNotice/fixtures';
import { dailyDigest, dailyDigests } from './dailyDigest';

const SCHOOL = {
  name: 'Ms Dee Ess-Ell',
  role: 'Designated safeguarding lead',
  organisation: 'Exampleton Primary School',
  source: '2A' as const,
  channel: { kind: 'email' as const, address: 'dsl@school.example.org' },
};

let seq = 0;
function notice(referrer: object, outcomes: DecisionOutcome[], issuedAt: string): NoticeIssued {
  seq += 1;
  const contact = { ...noticeContactFixture(referrer), contactId: `CON-${seq}`, agencyReference: `REF-${seq}` };
  return outcomeNotice(
    decisionFixture({
      decisionId: `DEC-${seq}`,
      caseId: `CASE-${seq}`,
      contactId: contact.contactId,
      outcomes,
      signposting: 'Family Hub drop-in',
    }),
    contact,
    new Date(issuedAt),
  );
}

describe('daily digest', () => {
  const day = '2026-07-01';
  const nfa = notice(SCHOOL, ['nfa'], '2026-07-01T09:00:00Z');
  const advice = notice(SCHOOL, ['advice'], '2026-07-01T15:00:00Z');
  const nfaSignposted = notice(SCHOOL, ['nfa', 'signposting'], '2026-07-01T11:00:00Z');
  const steppedUp = notice(SCHOOL, ['social-care-assessment', 'advice'], '2026-07-01T10:00:00Z');
  const otherOrg = notice(GP, ['nfa'], '2026-07-01T10:00:00Z');
  const yesterday = notice(SCHOOL, ['nfa'], '2026-06-30T22:59:00Z'); // 23:59 BST on 30 June
  const lateEvening = notice(SCHOOL, ['nfa'], '2026-06-30T23:30:00Z'); // 00:30 BST on 1 July
  const publicReferrer = notice(NEIGHBOUR, ['nfa'], '2026-07-01T10:00:00Z');
  const selfA = notice({ ...NEIGHBOUR, source: '1C' }, ['nfa'], '2026-07-01T10:00:00Z');
  const selfB = notice({ ...NEIGHBOUR, source: '1C' }, ['advice'], '2026-07-01T11:00:00Z');
  const closing = closingNotice(decisionFixture({ outcomes: ['nfa'] }), 'education', new Date('2026-07-01T12:00:00Z'));
  const all = [
    nfa,
    advice,
    nfaSignposted,
    steppedUp,
    otherOrg,
    yesterday,
    lateEvening,
    publicReferrer,
    selfA,
    selfB,
    closing,
    { ...closing, recipient: SCHOOL.organisation },
  ];

  it("groups one organisation's NFA and advice outcomes for the London day, in time order", () => {
    const d = dailyDigest(SCHOOL.organisation, all, day);
    expect(d.count).toBe(4);
    expect(d.noticeIds).toEqual([lateEvening, nfa, nfaSignposted, advice].map((n) => n.noticeId));
    expect(d.text).toContain('To: Exampleton Primary School');
    expect(d.text).toContain('Day: Wednesday, 1 July 2026');
    expect(d.text).toContain('No further action (3):');
    expect(d.text).toContain('Advice and information given (1):');
    expect(d.text).toContain(
      `- Your ref ${nfaSignposted.agencyReference}, MASH ref ${nfaSignposted.contactId}: Signposted to universal or community services; No further action by children's social care (decided by Sam Manager, MASH team manager (social work); notice sent 12:00)`,
    );
    expect(d.text).toContain('did not meet the threshold');
    expect(d.text).toContain('Team Around the Child');
    expect(d.text).toContain(
      'Contact: Exampleton MASH, in office hours 020 7946 0000 (Mon-Fri 9-5), out of hours Emergency duty team 020 7946 0999.',
    );
    for (const excluded of [steppedUp, otherOrg, yesterday]) expect(d.text).not.toContain(excluded.contactId!);
  });

  it('counts a notice delivered twice once', () => {
    expect(dailyDigest(SCHOOL.organisation, [...all, nfa, { ...nfa }], day).count).toBe(4);
  });

  it('carries no free text from the notices and nothing withheld from them', () => {
    const text = dailyDigests(all, day)
      .map((d) => d.text)
      .join('\n');
    expect(text).not.toContain('Family Hub drop-in');
    for (const s of SENSITIVE_STRINGS) expect(text).not.toContain(s);
  });

  it('one digest per organisation; never one for private referrers, who share a label', () => {
    const ds = dailyDigests(all, day);
    expect(ds.map((d) => [d.organisation, d.count])).toEqual([
      ['Exampleton Medical Practice', 1],
      ['Exampleton Primary School', 4],
    ]);
    expect(dailyDigest('self-referrer', all, day).count).toBe(0);
  });

  it('says so when there is nothing to report, and refuses a malformed day', () => {
    const d = dailyDigest(SCHOOL.organisation, all, '2026-07-02');
    expect(d).toMatchObject({ count: 0, noticeIds: [] });
    expect(d.text).toContain('None of your contacts');
    expect(() => dailyDigest(SCHOOL.organisation, all, '1 July')).toThrow(RangeError);
  });
});
