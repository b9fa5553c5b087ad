import { join } from 'node:path';
import { validateContact } from '@mash/contracts';
import { translationSamples } from '@mash/adapter-kit';
import { toContact } from './translate';

const { sample, translated, errorsOf, verdicts } = translationSamples(join(__dirname, '..', 'samples'), toContact);

describe('contact centre: a grandmother who agreed to share her details', () => {
  const native = sample('family-member-neglect.json');
  const contact = translated(native);

  it('maps every field it should', () => {
    expect(contact).toEqual({
      agencyReference: 'CC-20261121-0193',
      referrer: {
        name: 'Margaret Example',
        role: 'Maternal grandmother',
        phone: '07700 900123',
        source: '1A',
        // A phone but no email: the contact centre calls back from its own notice topic.
        channel: { kind: 'topic' },
      },
      subjects: [
        {
          subjectRef: 'child-1',
          kind: 'child',
          role: 'subject',
          givenName: 'Amy',
          familyName: 'Example',
          dateOfBirth: '2019-03-02',
          sex: 'female',
          school: 'Example Primary School',
        },
        {
          subjectRef: 'child-2',
          kind: 'child',
          role: 'subject',
          givenName: 'Ben',
          familyName: 'Example',
          dateOfBirth: '2012-05-19',
          sex: 'male',
        },
        { subjectRef: 'adult-1', kind: 'adult', role: 'parent-carer', givenName: 'Beth', familyName: 'Example' },
        { subjectRef: 'adult-2', kind: 'adult', role: 'alleged-perpetrator', givenName: 'Carl', familyName: 'Sample' },
      ],
      household: {
        address: { lines: ['1 Example Street'], town: 'Exampleton', postcode: 'EX1 2AB' },
        relationships: [
          { from: 'adult-1', to: 'child-1', type: 'parent' },
          { from: 'adult-2', to: 'child-1', type: 'other' },
        ],
      },
      presentingIssues: [
        { code: '16A', label: 'NEGLECT' },
        { code: '3', label: 'DOMESTIC_VIOLENCE' },
      ],
      narrative: native.account,
      consent: { status: 'not-sought', reason: native.familyConsent.reason, lawfulBasis: 'section-17' },
      urgency: 'same-day',
    });
  });

  it('is a valid canonical contact, and never names the call handler as the referrer', () => {
    expect(validateContact(contact).ok).toBe(true);
    expect(JSON.stringify(contact)).not.toContain('Lee Martin');
  });

  it('sends notices by email when the caller gave one and wants to hear back', () => {
    const copy = structuredClone(native);
    copy.caller.email = 'margaret@example.com';
    expect(translated(copy).referrer.channel).toEqual({ kind: 'email', address: 'margaret@example.com' });
  });

  it('sends nothing back, explicitly, when the caller does not want to hear', () => {
    const copy = structuredClone(native);
    copy.caller.wantsOutcome = false;
    copy.caller.email = 'margaret@example.com';
    expect(translated(copy).referrer.channel).toEqual({ kind: 'none', reason: 'no-contact-details' });
  });

  it.each([
    ['FAMILY_MEMBER', '1A'],
    ['ACQUAINTANCE', '1B'],
    ['SELF', '1C'],
    ['MEMBER_OF_PUBLIC', '1D'],
  ])('maps a %s caller to source %s', (type, source) => {
    const copy = structuredClone(native);
    copy.caller.type = type;
    expect(translated(copy).referrer.source).toBe(source);
  });

  it('maps a caller of unknown type to source 10 with an explicit "unknown" channel and no details', () => {
    const copy = structuredClone(native);
    copy.caller.type = 'UNKNOWN';
    expect(translated(copy).referrer).toEqual({ source: '10', channel: { kind: 'none', reason: 'unknown' } });
  });

  it('makes the contact immediate when the handler records immediate danger', () => {
    const copy = structuredClone(native);
    copy.immediateDanger = true;
    expect(translated(copy).urgency).toBe('immediate');
  });
});

describe('contact centre: an anonymous caller', () => {
  const native = sample('anonymous-neighbour-domestic.json');
  const contact = translated(native);

  it('is source 9 with the explicit "none: anonymous" channel and nothing else about the caller', () => {
    expect(contact.referrer).toEqual({ source: '9', channel: { kind: 'none', reason: 'anonymous' } });
  });

  it('drops what the handler typed about the caller anyway', () => {
    const wire = JSON.stringify(contact);
    for (const detail of [native.caller.name, native.caller.phone, native.caller.relationship]) expect(wire).not.toContain(detail);
  });

  it('maps an unborn child by its due date', () => {
    expect(contact.subjects[1]).toEqual({ subjectRef: 'child-2', kind: 'unborn', role: 'subject', expectedDate: '2027-01-25' });
    expect(contact.urgency).toBe('immediate');
  });
});

describe('contact centre: a caller who did not agree to share who they are', () => {
  const native = sample('acquaintance-no-details.json');
  const contact = translated(native);

  it('keeps the source but no name, phone or role, and says there is no channel', () => {
    expect(contact.referrer).toEqual({ source: '1B', channel: { kind: 'none', reason: 'no-contact-details' } });
    const wire = JSON.stringify(contact);
    expect(wire).not.toContain('Dawn');
    expect(wire).not.toContain('900789');
    expect(wire).not.toContain('Childminder');
  });

  it('maps the template categories to CIN codes', () => {
    expect(contact.presentingIssues).toEqual([
      { code: '10A', label: 'MISSING_FROM_HOME_OR_CARE' },
      { code: '11A', label: 'RISK_OF_CSE' },
    ]);
  });
});

describe('contact centre: a 17-year-old referring herself', () => {
  const contact = translated(sample('self-referral-homeless-17.json'));

  it('is source 1C, consent given, an email channel and the homelessness category', () => {
    expect(contact).toMatchObject({
      referrer: { name: 'Kasia Nowak', source: '1C', channel: { kind: 'email', address: 'kasia.n@example.com' } },
      presentingIssues: [{ code: 'HOMELESS-16-17', label: 'HOMELESSNESS_16_17' }],
      consent: { status: 'given' },
      urgency: 'immediate',
    });
  });
});

describe('contact-centre calls that must be refused', () => {
  it('refuses a call without the family consent answer', () => {
    expect(errorsOf(sample('invalid-no-consent.json'))).toEqual(['/familyConsent consent-required']);
  });

  it('refuses values outside the picklists, no child, and an empty account', () => {
    expect(errorsOf(sample('invalid-picklists.json'))).toEqual([
      '/account required',
      '/caller/type enum',
      '/children minItems',
      '/concerns/0 enum',
      '/urgencyAssessed enum',
    ]);
  });

  it('asks whether the caller agreed to share their details rather than assuming', () => {
    const native = sample('family-member-neglect.json');
    delete native.caller.detailsConsent;
    expect(errorsOf(native)).toEqual(['/caller/detailsConsent required']);
  });

  it.each([null, 'call', 0, [], {}])('refuses %p without throwing', (junk) => {
    expect(toContact(junk).ok).toBe(false);
  });
});

describe('contact-centre samples', () => {
  it('are all exercised here: valid ones translate, invalid-* ones are refused', () => {
    const all = verdicts();
    expect(all.length).toBeGreaterThan(3);
    expect(all.map((v) => v.actual)).toEqual(all.map((v) => v.expected));
  });
});
