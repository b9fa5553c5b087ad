import { exampleContact } from '@mash/contracts/examples';
import { rate, higherRating } from '.';
import { shippedPolicy } from '@mash/policy';
import { contactWith, inputWith, NOW } from './testContacts';
import type { RatingInput } from './rate';

const london = shippedPolicy('london');
const issues = (...codes: string[]) => ({ presentingIssues: codes.map((code) => ({ code })) });
const da = (dashRiskLevel: 'standard' | 'medium' | 'high', childrenPresent: boolean) => ({
  ...issues('3'),
  domesticAbuse: { dashRiskLevel, childrenPresent },
});
const baby = { dateOfBirth: '2026-06-01' };

/** One row per London rule: the smallest input that makes it fire, and the rating it must give. */
const table: [string, RatingInput, string][] = [
  ['R-DASH-HIGH', inputWith(contactWith(da('high', false))), 'RED'],
  ['R-SEXUAL-ABUSE', inputWith(contactWith(issues('19C'))), 'RED'],
  ['R-INFANT-INJURY', inputWith(contactWith(issues('18C'), baby)), 'RED'],
  ['R-FGM', inputWith(contactWith(issues('22A'))), 'RED'],
  ['R-TRAFFICKING', inputWith(contactWith(issues('12A'))), 'RED'],
  ['R-CSE-MISSING', inputWith(contactWith(issues('10A', '11A'))), 'RED'],
  ['A-DASH-MEDIUM-CHILDREN', inputWith(contactWith(da('medium', true))), 'AMBER'],
  ['A-PHYSICAL-ABUSE', inputWith(contactWith(issues('18B'))), 'AMBER'],
  ['A-EXPLOITATION', inputWith(contactWith(issues('24A'))), 'AMBER'],
  ['A-MISSING', inputWith(contactWith(issues('10A'))), 'AMBER'],
  ['A-HOMELESS-16-17', inputWith(contactWith(issues('HOMELESS-16-17'))), 'AMBER'],
  ['A-INFANT', inputWith(contactWith(issues('16A'), baby)), 'AMBER'],
  ['A-DISABLED-CHILD', inputWith(contactWith(issues('16A'), { disability: true })), 'AMBER'],
  ['A-KNOWN-HOUSEHOLD-DA', inputWith(contactWith(issues('3')), { knownHousehold: true }), 'AMBER'],
  ['A-OPEN-CASE', inputWith(contactWith(issues('16A')), { openToSocialCare: { worker: 'J Smith' } }), 'AMBER'],
  ['A-REPEAT', inputWith(contactWith(issues('20')), { repeatCount: 3 }), 'AMBER'],
  ['A-MOSAIC', inputWith(contactWith(issues('4B', '1B', '16A'))), 'AMBER'],
  ['A-REFERRER-IMMEDIATE', inputWith(contactWith({ urgency: 'immediate' })), 'AMBER'],
  ['G-CONCERN', inputWith(contactWith(issues('4A'))), 'GREEN'],
  [
    'G-DOMESTIC-ABUSE',
    inputWith(contactWith({ ...issues('21'), domesticAbuse: { dashRiskLevel: 'standard', childrenPresent: false } })),
    'GREEN',
  ],
  ['B-INFORMATION-REQUEST', inputWith(contactWith({ ...issues('21'), informationOnly: true })), 'BLUE'],
];

describe('rate: every London rule (table)', () => {
  it.each(table)('%s fires and rates %s', (ruleId, input, expected) => {
    const r = rate(input, london);
    expect(r.ruleIds).toContain(ruleId);
    expect(r.rating).toBe(expected);
    expect(r.ruleIds[0]).toBe(ruleId);
    expect(r.reasons[r.ruleIds.indexOf(ruleId)]).toBe(london.thresholds.rules.find((x) => x.id === ruleId)?.reason);
    expect(r.policyVersion).toBe('london-2025.1');
  });

  it('covers every rule in the London policy', () => {
    expect(table.map((row) => row[0]).sort()).toEqual(london.thresholds.rules.map((r) => r.id).sort());
  });
});

describe('rate: near misses do not fire', () => {
  it('DASH medium without children present is not Amber on that rule', () => {
    const r = rate(inputWith(contactWith(da('medium', false))), london);
    expect(r.ruleIds).not.toContain('A-DASH-MEDIUM-CHILDREN');
    expect(r.rating).toBe('GREEN');
  });
  it('a physical abuse concern about a one-year-old is Amber, not the infant Red', () => {
    const r = rate(inputWith(contactWith(issues('18C'), { dateOfBirth: '2025-11-30' })), london);
    expect(r.rating).toBe('AMBER');
    expect(r.ruleIds).not.toContain('R-INFANT-INJURY');
  });
  it('two repeats are below a trigger of three', () => {
    expect(rate(inputWith(contactWith(), { repeatCount: 2 }), london).ruleIds).not.toContain('A-REPEAT');
  });
  it('two low concerns are not a mosaic of three', () => {
    const r = rate(inputWith(contactWith(issues('4B', '1B'))), london);
    expect(r.ruleIds).not.toContain('A-MOSAIC');
    expect(r.riskFactors).toEqual(['issue:1B', 'issue:4B']);
  });
  it('the same issue twice counts once in the mosaic', () => {
    expect(rate(inputWith(contactWith(issues('16A', '16A', '16A'))), london).rating).toBe('GREEN');
  });
  it('a contact with no factors and no rule gets the policy default, shown as rule "default"', () => {
    const r = rate(inputWith(contactWith(issues('21'))), london);
    expect(r).toMatchObject({ rating: 'GREEN', ruleIds: ['default'] });
  });
});

describe('rate: scenarios from the source reports', () => {
  it('L608/L631: a standard-risk police DA notification without children present stays Green, not flooding Amber', () => {
    const c = contactWith({ ...da('standard', false), referrer: { source: '6', channel: { kind: 'topic' } } });
    expect(rate(inputWith(c), london).rating).toBe('GREEN');
  });
  it('L608: standard DA with children present is two factors, still Green', () => {
    expect(rate(inputWith(contactWith(da('standard', true))), london).rating).toBe('GREEN');
  });
  it('L5879-5882: a DA case at child-protection threshold (DASH high) is fast-tracked Red', () => {
    expect(rate(inputWith(contactWith(da('high', true))), london)).toMatchObject({
      rating: 'RED',
      ruleIds: expect.arrayContaining(['R-DASH-HIGH']),
    });
  });
  it('L94: a mosaic of parental mental health, substance misuse and a known household escalates to Amber', () => {
    const r = rate(inputWith(contactWith(issues('4B', '2B')), { knownHousehold: true }), london);
    expect(r.rating).toBe('AMBER');
    expect(r.ruleIds).toContain('A-MOSAIC');
  });
  it('L218-225: the third contact in 12 months triggers escalation', () => {
    const r = rate(inputWith(contactWith(issues('20')), { repeatCount: 3 }), london);
    expect(r).toMatchObject({ rating: 'AMBER', ruleIds: ['A-REPEAT', 'G-CONCERN'] });
  });
  it('L5975: an information request with no new concern is Blue', () => {
    expect(rate(inputWith(contactWith({ ...issues('21'), informationOnly: true })), london).rating).toBe('BLUE');
  });
  it('L4156: an information-only notification that carries a sexual abuse concern is still Red', () => {
    expect(rate(inputWith(contactWith({ ...issues('19B'), informationOnly: true })), london).rating).toBe('RED');
  });
  it('the contracts example (DASH medium, child present, L4158) is Amber and lists every rule that fired', () => {
    const r = rate({ contact: exampleContact, now: NOW, knownHousehold: false, repeatCount: 1 }, london);
    expect(r.rating).toBe('AMBER');
    // DA, medium risk and a child present are also three factors: the mosaic fires too.
    expect(r.ruleIds).toEqual(['A-DASH-MEDIUM-CHILDREN', 'A-MOSAIC', 'G-CONCERN', 'G-DOMESTIC-ABUSE']);
    expect(r.reasons).toHaveLength(4);
  });
  it('an unborn baby with a DA concern is Amber on the infant rule', () => {
    const c = contactWith({ ...issues('3'), subjects: [{ subjectRef: 'u1', kind: 'unborn', expectedDate: '2027-02-01' }] });
    expect(rate(inputWith(c), london).ruleIds).toContain('A-INFANT');
  });
});

describe('higherRating', () => {
  it('orders BLUE < GREEN < AMBER < RED', () => {
    expect(higherRating('BLUE', 'GREEN')).toBe('GREEN');
    expect(higherRating('RED', 'AMBER')).toBe('RED');
    expect(higherRating('AMBER', 'GREEN')).toBe('AMBER');
  });
});
