import { join } from 'node:path';
import { validateContact } from '@mash/contracts';
import { translationSamples } from '@mash/adapter-kit';
import { FHIR, toContact } from './translate';

const { sample, translated, errorsOf, verdicts } = translationSamples(join(__dirname, '..', 'samples'), toContact);

describe('health: GP referral as a FHIR message with a ServiceRequest', () => {
  const native = sample('gp-referral-neglect.json');
  const contact = translated(native);

  it('maps every field it should', () => {
    expect(contact).toEqual({
      // ServiceRequest.identifier, made the sender's own by its ODS code.
      agencyReference: 'Y01234:SGR-2026-0042',
      referrer: {
        name: 'Dr Priya Shah', // Practitioner.name prefix + given + family
        role: 'GP partner, safeguarding lead', // PractitionerRole.code.text
        organisation: 'Exampleton Medical Practice', // Organization.name
        odsCode: 'Y01234', // Organization.identifier (ODS)
        phone: '01632 960 700', // PractitionerRole.telecom where system = phone
        source: '3A', // referrer-role general-practitioner
        channel: { kind: 'topic' }, // no outcome-notice-endpoint extension
      },
      subjects: [
        {
          subjectRef: 'pat-1',
          kind: 'child',
          role: 'subject',
          givenName: 'Amy Rose',
          familyName: 'Example',
          dateOfBirth: '2019-03-02',
          sex: 'female',
          identifiers: { nhsNumber: '9434765919' },
          gpPractice: 'Exampleton Medical Practice',
        },
        {
          subjectRef: 'rp-1',
          kind: 'adult',
          role: 'parent-carer',
          givenName: 'Beth',
          familyName: 'Example',
          dateOfBirth: '1990-07-14',
          sex: 'female',
        },
      ],
      household: {
        address: { lines: ['1 Example Street'], town: 'Exampleton', postcode: 'EX1 2AB' },
        relationships: [{ from: 'rp-1', to: 'pat-1', type: 'parent' }], // RelatedPerson MTH
      },
      presentingIssues: [
        { code: '16A', label: 'Neglect' },
        { code: '4B', label: 'Parental mental health' },
      ],
      narrative: `${native.entry[1].resource.note[0].text}\n\n${native.entry[1].resource.note[1].text}`,
      urgency: 'same-day', // priority urgent
      consent: { status: 'given' },
    });
  });

  it('is a valid canonical contact', () => {
    expect(validateContact(contact).ok).toBe(true);
  });

  it.each([
    ['routine', 'routine'],
    ['urgent', 'same-day'],
    ['asap', 'immediate'],
    ['stat', 'immediate'],
  ])('maps priority %s to urgency %s', (priority, urgency) => {
    const copy = structuredClone(native);
    copy.entry[1].resource.priority = priority;
    expect(translated(copy).urgency).toBe(urgency);
  });

  it('treats a request without a priority as routine, as FHIR does', () => {
    const copy = structuredClone(native);
    delete copy.entry[1].resource.priority;
    expect(translated(copy).urgency).toBe('routine');
  });

  it.each([
    ['health-visitor', '3B'],
    ['school-nurse', '3C'],
    ['primary-care', '3D'],
    ['emergency-department', '3E'],
    ['midwife', '3F'],
  ])('maps referrer role %s to source %s', (code, source) => {
    const copy = structuredClone(native);
    copy.entry[4].resource.code[0].coding[0].code = code;
    expect(translated(copy).referrer.source).toBe(source);
  });

  it('calls a referrer with no role code other health (3F), rather than refusing the referral', () => {
    const copy = structuredClone(native);
    delete copy.entry[4].resource.code;
    expect(translated(copy).referrer).toMatchObject({ source: '3F' });
  });

  it('accepts an NHS number written with spaces and stores it without', () => {
    const copy = structuredClone(native);
    copy.entry[2].resource.identifier[0].value = '943 476 5919';
    expect(translated(copy).subjects[0].identifiers).toEqual({ nhsNumber: '9434765919' });
  });
});

describe('health: health visitor referral with a CP-IS flag and an outcome endpoint', () => {
  const contact = translated(sample('health-visitor-bruising-cpis.json'));

  it('sends outcome notices to the endpoint named in the MessageHeader extension', () => {
    expect(contact.referrer.channel).toEqual({ kind: 'webhook', url: 'https://ehr.exampleton-community.nhs.uk/mash/outcomes' });
    expect(contact.referrer.source).toBe('3B');
  });

  it('maps related persons by v3 RoleCode, a sibling without age as a child', () => {
    expect(contact.subjects.map((s) => [s.subjectRef, s.kind, s.role])).toEqual([
      ['pat-2', 'child', 'subject'],
      ['rp-2a', 'adult', 'parent-carer'],
      ['rp-2b', 'adult', 'parent-carer'],
      ['rp-2c', 'child', 'sibling'],
    ]);
    expect(contact.household?.relationships).toEqual([
      { from: 'rp-2a', to: 'pat-2', type: 'parent' },
      { from: 'rp-2b', to: 'pat-2', type: 'step-parent' },
      { from: 'rp-2c', to: 'pat-2', type: 'sibling' },
    ]);
  });

  it('keeps a concern coded outside the CIN list and the code map as 20 (other) with its words and its own coding', () => {
    expect(contact.presentingIssues).toEqual([
      { code: '3', label: 'Domestic abuse' },
      {
        code: '20',
        label: 'Bruising in a non-mobile baby',
        coding: {
          system: 'https://fhir.exampleton-community.nhs.uk/CodeSystem/safeguarding-concern',
          code: 'BRUISE-NON-MOBILE',
          display: 'Bruising in a non-mobile baby',
        },
      },
    ]);
  });

  it('says in the narrative that the child has an active CP-IS flag', () => {
    expect(contact.narrative).toContain('CP-IS');
    expect(contact.narrative).toContain('since 2026-09-01');
  });

  it('records consent not sought with its reason and lawful basis', () => {
    expect(contact.consent).toEqual({
      status: 'not-sought',
      reason: expect.stringContaining('monitors her phone'),
      lawfulBasis: 'risk-of-significant-harm',
    });
    expect(contact.urgency).toBe('immediate');
  });

  it('ignores a CP-IS flag that is no longer active', () => {
    const native = sample('health-visitor-bruising-cpis.json');
    native.entry.find((e: any) => e.resource.resourceType === 'Flag').resource.status = 'inactive';
    expect(translated(native).narrative).not.toContain('CP-IS');
  });
});

describe('health: A&E safeguarding Communication with literal references', () => {
  const contact = translated(sample('emergency-department-self-harm.json'));

  it('reads the concern from the Communication payload, the referrer from its sender', () => {
    expect(contact).toMatchObject({
      agencyReference: 'RH8:ED-2026-11-23-0091',
      referrer: { name: 'Dr Tomasz Nowak', organisation: 'Exampleton General Hospital', source: '3E', odsCode: 'RH8' },
      subjects: [
        { subjectRef: 'pat-3', kind: 'child', givenName: 'Chloé', familyName: 'Dubois', identifiers: { nhsNumber: '9990000158' } },
      ],
      presentingIssues: [
        { code: '15A', label: 'Self-harm' },
        { code: '11A', label: 'Child sexual exploitation' },
      ],
      consent: { status: 'refused', lawfulBasis: 'risk-of-significant-harm' },
    });
    expect(contact.narrative).toMatch(/^15-year-old brought in by ambulance/);
  });
});

describe('health messages that must be refused', () => {
  it('refuses a referral without the consent extension, naming where it belongs', () => {
    expect(errorsOf(sample('invalid-no-consent.json'))).toEqual(['/entry/1/resource/extension consent-required']);
  });

  it('names the wrong event, NHS number, postcode, endpoint and missing lawful basis in FHIR paths', () => {
    expect(errorsOf(sample('invalid-identifiers-and-consent.json'))).toEqual([
      '/entry/0/resource/eventCoding event',
      '/entry/0/resource/extension/0/valueUrl pattern',
      '/entry/1/resource/extension/0/extension lawfulBasis-required',
      '/entry/2/resource/address/0/postalCode pattern',
      '/entry/2/resource/identifier/0/value format',
    ]);
  });

  it('refuses a revoked request with no reason, no note, an unknown priority and a requester not in the bundle', () => {
    expect(errorsOf(sample('invalid-revoked-request.json'))).toEqual([
      '/entry/1/resource/note required',
      '/entry/1/resource/priority enum',
      '/entry/1/resource/reasonCode required',
      '/entry/1/resource/requester/reference reference',
      '/entry/1/resource/status status',
    ]);
  });

  it('refuses a document bundle: a referral is a message whose first entry is the MessageHeader', () => {
    expect(errorsOf(sample('invalid-document-bundle.json'))).toEqual(['/entry/0/resource/resourceType const', '/type const']);
  });

  it('refuses consent with a status outside given/refused/not-sought', () => {
    const native = sample('gp-referral-neglect.json');
    native.entry[1].resource.extension[0].extension[0].valueCode = 'implied';
    expect(errorsOf(native)).toEqual(['/entry/1/resource/extension/0/extension/0/valueCode enum']);
  });

  it('refuses a focus that points nowhere', () => {
    const native = sample('gp-referral-neglect.json');
    native.entry[0].resource.focus = [{ reference: 'urn:uuid:missing' }];
    expect(errorsOf(native)).toEqual(['/entry/0/resource/focus/0/reference reference']);
  });

  it.each([null, 'Bundle', 7, [], {}, { resourceType: 'Patient' }])('refuses %p without throwing', (junk) => {
    expect(toContact(junk).ok).toBe(false);
  });

  it('publishes the extension and code-system URLs it expects', () => {
    expect(FHIR.consentExtension).toMatch(/^https:\/\//);
    expect(FHIR.nhsNumber).toBe('https://fhir.nhs.uk/Id/nhs-number');
  });
});

describe('health samples', () => {
  it('are all exercised here: valid ones translate, invalid-* ones are refused', () => {
    const all = verdicts();
    expect(all.length).toBeGreaterThan(3);
    expect(all.map((v) => v.actual)).toEqual(all.map((v) => v.expected));
  });
});
