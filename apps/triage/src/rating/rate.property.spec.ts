import fc from 'fast-check';
import type { Contact, ContactSubject } from '@mash/contracts';
import { rate, RATING_ORDER } from '.';
import type { RatingInput } from './rate';
import { shippedPolicy } from '@mash/policy';
import { NOW } from './testContacts';

const CODES = [
  '1',
  '2',
  '3',
  '4B',
  '1B',
  '2B',
  '4A',
  '10A',
  '11A',
  '12A',
  '13A',
  '16A',
  '17A',
  '18B',
  '18C',
  '19B',
  '20',
  '21',
  '22A',
  '24A',
  'ASB',
  'ARREST',
  'HOMELESS-16-17',
];
const LEVELS = ['standard', 'medium', 'high'] as const;

const child = fc.record({
  dob: fc.date({ min: new Date('2008-01-01'), max: new Date('2026-11-29'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  disability: fc.boolean(),
});

const arbInput: fc.Arbitrary<RatingInput> = fc
  .record({
    codes: fc.uniqueArray(fc.constantFrom(...CODES), { minLength: 1, maxLength: 5 }),
    dash: fc.option(fc.record({ level: fc.constantFrom(...LEVELS), present: fc.boolean() }), { nil: undefined }),
    children: fc.array(child, { minLength: 1, maxLength: 3 }),
    urgency: fc.constantFrom('immediate', 'same-day', 'routine') as fc.Arbitrary<Contact['urgency']>,
    informationOnly: fc.boolean(),
    knownHousehold: fc.boolean(),
    repeatCount: fc.integer({ min: 1, max: 5 }),
    open: fc.boolean(),
  })
  .map((g) => {
    const subjects: ContactSubject[] = g.children.map((c, i) => ({
      subjectRef: `c${i}`,
      kind: 'child',
      dateOfBirth: c.dob,
      disability: c.disability,
    }));
    const contact: Contact = {
      agencyReference: 'P-1',
      referrer: { source: '6', channel: { kind: 'topic' } },
      subjects,
      presentingIssues: g.codes.map((code) => ({ code })),
      narrative: 'n',
      consent: { status: 'given' },
      urgency: g.urgency,
      informationOnly: g.informationOnly,
      ...(g.dash ? { domesticAbuse: { dashRiskLevel: g.dash.level, childrenPresent: g.dash.present } } : {}),
    };
    return {
      contact,
      now: NOW,
      knownHousehold: g.knownHousehold,
      repeatCount: g.repeatCount,
      ...(g.open ? { openToSocialCare: { worker: 'W' } } : {}),
    };
  });

type AddFactor = (i: RatingInput) => RatingInput;
const withContact = (i: RatingInput, c: Partial<Contact>): RatingInput => ({ ...i, contact: { ...i.contact, ...c } });

const addFactor: fc.Arbitrary<AddFactor> = fc.oneof(
  fc.constantFrom(...CODES).map(
    (code): AddFactor =>
      (i) =>
        withContact(i, { presentingIssues: [...i.contact.presentingIssues, { code }] }),
  ),
  fc.constant<AddFactor>((i) => {
    const cur = i.contact.domesticAbuse;
    const next = cur ? LEVELS[Math.min(2, LEVELS.indexOf(cur.dashRiskLevel) + 1)] : 'standard';
    return withContact(i, { domesticAbuse: { dashRiskLevel: next, childrenPresent: cur?.childrenPresent ?? false } });
  }),
  fc.constant<AddFactor>((i) =>
    withContact(i, { domesticAbuse: { dashRiskLevel: i.contact.domesticAbuse?.dashRiskLevel ?? 'standard', childrenPresent: true } }),
  ),
  fc.constant<AddFactor>((i) =>
    withContact(i, { subjects: [...i.contact.subjects, { subjectRef: 'baby', kind: 'child', dateOfBirth: '2026-10-01' }] }),
  ),
  fc.constant<AddFactor>((i) =>
    withContact(i, { subjects: [...i.contact.subjects, { subjectRef: 'unborn', kind: 'unborn', expectedDate: '2027-03-01' }] }),
  ),
  fc.constant<AddFactor>((i) => withContact(i, { subjects: i.contact.subjects.map((s, n) => (n === 0 ? { ...s, disability: true } : s)) })),
  fc.constant<AddFactor>((i) => ({ ...i, knownHousehold: true })),
  fc.constant<AddFactor>((i) => ({ ...i, repeatCount: i.repeatCount + 1 })),
  fc.constant<AddFactor>((i) => ({ ...i, openToSocialCare: { worker: 'W' } })),
);

describe('rate: adding a risk factor never lowers a rating', () => {
  it.each(['london', 'sandwell', 'sefton'] as const)('%s', (locality) => {
    const policy = shippedPolicy(locality);
    fc.assert(
      fc.property(arbInput, fc.array(addFactor, { minLength: 1, maxLength: 4 }), (input, adds) => {
        const before = rate(input, policy);
        const after = rate(
          adds.reduce((acc, add) => add(acc), input),
          policy,
        );
        return RATING_ORDER[after.rating] >= RATING_ORDER[before.rating] && after.riskFactors.length >= before.riskFactors.length;
      }),
      { numRuns: 500 },
    );
  });
});
