import { planChecks } from '.';
import { decideConsent } from '../consent';
import { deadlineFor } from '@mash/policy';
import { shippedPolicy } from '@mash/policy';
import type { Policy } from '@mash/policy';
import { contactWith } from '../rating/testContacts';

const london = shippedPolicy('london');
const sefton = shippedPolicy('sefton');
const given = decideConsent({ status: 'given' }, london);
const ratedAt = new Date('2026-11-30T10:00:00Z'); // Monday 10:00 GMT
const issues = (...codes: string[]) => ({ presentingIssues: codes.map((code) => ({ code })) });
const agencies = (plan: { agency: string }[]) => plan.map((p) => p.agency);

describe('planChecks', () => {
  it('Green consults only the agencies the policy names for Green, plus none for an unrelated issue', () => {
    expect(agencies(planChecks('GREEN', contactWith(issues('20')), london, given, ratedAt))).toEqual(['health', 'education']);
  });
  it('Amber with domestic abuse adds police and probation, and asks for DA records', () => {
    const plan = planChecks(
      'AMBER',
      contactWith({ ...issues('3'), domesticAbuse: { dashRiskLevel: 'medium', childrenPresent: true } }),
      london,
      given,
      ratedAt,
    );
    expect(agencies(plan)).toEqual(['police', 'health', 'education', 'probation']);
    expect(plan.find((p) => p.agency === 'police')?.categories).toContain('domestic-abuse');
  });
  it('does not ask for DA records when the case is not about domestic abuse', () => {
    const plan = planChecks('AMBER', contactWith(issues('16A')), london, given, ratedAt);
    expect(plan.find((p) => p.agency === 'police')?.categories).not.toContain('domestic-abuse');
    expect(agencies(plan)).toEqual(['police', 'health', 'education', 'housing']);
  });
  it('parental substance misuse brings in the virtual adult social care member', () => {
    expect(agencies(planChecks('GREEN', contactWith(issues('2B')), london, given, ratedAt))).toEqual([
      'health',
      'education',
      'adult-social-care',
    ]);
  });
  it('grants each agency only its own categories', () => {
    const plan = planChecks('AMBER', contactWith(issues('20')), london, given, ratedAt);
    expect(plan.find((p) => p.agency === 'education')?.categories).toEqual(['identity', 'address', 'involvement', 'history', 'education']);
    expect(plan.find((p) => p.agency === 'health')?.categories).not.toContain('offending');
  });
  it('Blue (L5975) consults only what the policy lists for Blue, ignoring issue rules', () => {
    const c = contactWith({ ...issues('3', '2B'), informationOnly: true });
    expect(planChecks('BLUE', c, london, given, ratedAt)).toEqual([]);
    const withBlue: Policy = {
      ...london,
      consultation: { ...london.consultation, byRating: { ...london.consultation.byRating, BLUE: ['police'] } },
    };
    expect(agencies(planChecks('BLUE', c, withBlue, given, ratedAt))).toEqual(['police']);
  });
  it('every reply is due before the case deadline; Amber 0.75 of a working day is 6 working hours', () => {
    const plan = planChecks('AMBER', contactWith(issues('20')), london, given, ratedAt);
    const deadline = deadlineFor('AMBER', ratedAt, london);
    for (const p of plan) expect(Date.parse(p.dueAt)).toBeLessThan(deadline.getTime());
    expect(plan.find((p) => p.agency === 'police')?.dueAt).toBe('2026-11-30T16:00:00.000Z');
  });
  it('a virtual member gets its own, later fraction', () => {
    const plan = planChecks('GREEN', contactWith(issues('2B')), london, given, ratedAt);
    const asc = plan.find((p) => p.agency === 'adult-social-care');
    const health = plan.find((p) => p.agency === 'health');
    expect(Date.parse(asc!.dueAt)).toBeGreaterThan(Date.parse(health!.dueAt));
  });
  it('Red replies are due within the 4 elapsed hours, through the night', () => {
    const night = new Date('2026-11-28T23:00:00Z');
    const plan = planChecks('RED', contactWith(issues('19B')), london, given, night);
    expect(plan.find((p) => p.agency === 'police')?.dueAt).toBe('2026-11-29T02:00:00.000Z');
  });
  it("consent refused: only the policy's allowed agencies and categories", () => {
    const refused = decideConsent({ status: 'refused', reason: 'declined', lawfulBasis: 'statutory-function' }, london);
    const plan = planChecks('AMBER', contactWith(issues('3')), london, refused, ratedAt);
    expect(plan.map((p) => [p.agency, p.categories])).toEqual([
      ['police', ['identity', 'address', 'involvement']],
      ['health', ['identity']],
    ]);
  });
  it('an override lifts the consent limits', () => {
    const lifted = decideConsent({ status: 'refused', reason: 'declined', lawfulBasis: 'statutory-function' }, london, {
      by: 'M',
      reason: 'section 47 enquiry agreed',
      basis: 'section-47',
    });
    expect(agencies(planChecks('AMBER', contactWith(issues('3')), london, lifted, ratedAt))).toEqual([
      'police',
      'health',
      'education',
      'probation',
    ]);
  });
  it('Sefton asks only its own members (L3640): no education', () => {
    const consent = decideConsent({ status: 'given' }, sefton);
    expect(agencies(planChecks('AMBER', contactWith(issues('3')), sefton, consent, ratedAt))).toEqual(['police', 'health', 'probation']);
  });
});
