import fc from 'fast-check';
import type { AgencyId, DecisionOutcome, DecisionRecorded, NoticeIssued } from '@mash/contracts';
import { acknowledgementNotice, closingNotice, outcomeNotice } from './compose';
import {
  ANONYMOUS,
  CHRONOLOGY,
  contactReceivedFixture,
  decisionFixture,
  GP,
  NEIGHBOUR,
  noticeContactFixture,
  SENSITIVE_STRINGS,
} from './fixtures';
import { OUTCOME_ORDER } from './outcomeText';

const NOW = new Date('2026-11-21T10:31:00Z');
const REFERRERS = [{}, GP, NEIGHBOUR, ANONYMOUS, { ...NEIGHBOUR, source: '1C' as const }];
const AGENCIES: AgencyId[] = ['police', 'health', 'education', 'probation', 'housing', 'adult-social-care', 'youth-justice'];

function everyNotice(decision: DecisionRecorded): NoticeIssued[] {
  return [
    ...REFERRERS.map((r) => outcomeNotice(decision, noticeContactFixture(r), NOW)),
    ...REFERRERS.map((r) => acknowledgementNotice(contactReceivedFixture(r), undefined, NOW)),
    ...AGENCIES.map((a) => closingNotice(decision, a, NOW)),
  ];
}

describe('fire wall: notices carry no other agency information', () => {
  it('no notice carries any chronology, dissent, narrative, incident or subject string from the fixtures', () => {
    const decision = decisionFixture({ outcomes: [...OUTCOME_ORDER] });
    const notices = everyNotice(decision);
    for (const n of notices) {
      const serialised = JSON.stringify(n);
      for (const secret of SENSITIVE_STRINGS)
        expect({ notice: n.noticeId, leaked: serialised.includes(secret) ? secret : undefined }).toEqual({
          notice: n.noticeId,
          leaked: undefined,
        });
    }
    // The search above only means something if it finds what is meant to be there.
    expect(notices.every((n) => JSON.stringify(n).includes(decision.responsibleTeam.name) || n.kind === 'acknowledgement')).toBe(true);
    expect(CHRONOLOGY.length).toBeGreaterThan(0);
  });

  it('whatever the withheld fields hold, none of it reaches a notice (property)', () => {
    // Markers are long and unique so that a match is a leak, not a coincidence of short strings.
    const marker = fc.uuid().map((u) => `WITHHELD-${u}`);
    const outcomes = fc.uniqueArray(fc.constantFrom<DecisionOutcome>(...OUTCOME_ORDER), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(
        marker,
        marker,
        marker,
        marker,
        marker,
        outcomes,
        fc.constantFrom<DecisionRecorded['finalRating']>('RED', 'AMBER', 'GREEN', 'BLUE'),
        (view, name, change, override, policy, outs, rating) => {
          const decision = decisionFixture({
            outcomes: outs,
            finalRating: rating,
            dissent: [{ agency: 'police', name, view }],
            ratingChangeReason: change,
            urgentOverride: { reason: override },
            policyVersion: policy,
          });
          for (const n of everyNotice(decision)) {
            const s = JSON.stringify(n);
            for (const secret of [view, name, change, override, policy]) if (s.includes(secret)) return false;
            // A rating is the hub's internal risk grade, not something a notice explains.
            if (/\b(RED|AMBER|GREEN|BLUE)\b/.test(n.text)) return false;
          }
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a marker in a whitelisted field does reach the notice (the property can fail)', () => {
    const decision = decisionFixture({ decisionMaker: { name: 'WITHHELD-control', role: 'Manager' } });
    expect(JSON.stringify(outcomeNotice(decision, noticeContactFixture(), NOW))).toContain('WITHHELD-control');
  });
});
