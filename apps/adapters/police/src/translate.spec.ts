import { join } from 'node:path';
import { validateContact } from '@mash/contracts';
import { translationSamples } from '@mash/adapter-kit';
import { toContact } from './translate';

const { sample, translated, errorsOf, verdicts } = translationSamples(join(__dirname, '..', 'samples'), toContact);

describe('police PVP: domestic abuse, DASH medium, two children present', () => {
  const native = sample('pvp-domestic-abuse-medium.json');
  const contact = translated(native);

  it('maps every field it should, and nothing else', () => {
    expect(contact).toEqual({
      agencyReference: 'EX:PVP-2026-004711',
      referrer: {
        name: 'PC Jane Walker',
        role: 'Officer in the case, collar 4521, Exampleton',
        organisation: 'Example Constabulary',
        phone: '01632 960 123',
        source: '6',
        channel: { kind: 'topic' },
      },
      subjects: [
        {
          subjectRef: 'P1',
          kind: 'adult',
          role: 'victim',
          givenName: 'Beth',
          familyName: 'Example',
          dateOfBirth: '1990-07-14',
          sex: 'female',
          ethnicity: 'W1',
          residentAtAddress: true,
        },
        {
          subjectRef: 'P2',
          kind: 'adult',
          role: 'alleged-perpetrator',
          givenName: 'Carl',
          familyName: 'Sample',
          dateOfBirth: '1988-01-30',
          sex: 'male',
          identifiers: { policePersonId: '88-123456A' },
          residentAtAddress: true,
        },
        {
          subjectRef: 'P3',
          kind: 'child',
          role: 'subject',
          givenName: 'Amy',
          familyName: 'Example',
          dateOfBirth: '2019-03-02',
          sex: 'female',
          identifiers: { nhsNumber: '9434765919' },
          presentDuringIncident: true,
          residentAtAddress: true,
          school: 'Example Primary School',
          gpPractice: 'Exampleton Medical Practice',
        },
        {
          subjectRef: 'P4',
          kind: 'child',
          role: 'subject',
          givenName: 'Ben',
          familyName: 'Example',
          dateOfBirth: '2012-05-19',
          sex: 'male',
          presentDuringIncident: true,
          residentAtAddress: true,
          school: 'Exampleton Academy',
        },
      ],
      household: {
        address: { lines: ['1 Example Street'], town: 'Exampleton', postcode: 'EX1 2AB' },
        relationships: [
          { from: 'P1', to: 'P3', type: 'parent' },
          { from: 'P1', to: 'P4', type: 'parent' },
          { from: 'P2', to: 'P1', type: 'partner' },
          { from: 'P2', to: 'P3', type: 'step-parent' },
        ],
      },
      presentingIssues: [
        { code: '3', label: 'DOMESTIC_ABUSE' },
        { code: '20', label: 'CHILD_AT_RISK' },
        { code: '1B', label: 'PARENTAL_ALCOHOL' },
      ],
      narrative: native.incident.summary,
      incident: { occurredAt: '2026-11-20T22:15:00Z', place: 'Home address', reference: '01-118342-26' },
      domesticAbuse: { dashRiskLevel: 'medium', childrenPresent: true, dashYesCount: 9 },
      consent: { status: 'not-sought', reason: native.consent.reason, lawfulBasis: 'risk-of-significant-harm' },
      urgency: 'same-day',
      informationOnly: false,
    });
  });

  it('is a valid canonical contact', () => {
    expect(validateContact(contact).ok).toBe(true);
  });

  it('keeps the incident detail, the officer-perceived ethnicity and the officer email inside the force', () => {
    const wire = JSON.stringify(contact);
    expect(wire).not.toContain('CONFIDENTIAL');
    expect(wire).not.toContain('INT-77812');
    expect(wire).not.toContain('IC1');
    expect(wire).not.toContain('jane.walker@');
  });

  it('counts DASH yes answers from the answers when they are given', () => {
    const fewer = structuredClone(native);
    fewer.dash.answers.q1 = 'N';
    delete fewer.dash.yesCount;
    expect(translated(fewer).domesticAbuse?.dashYesCount).toBe(8);
  });

  it('says children were present only when a child was present', () => {
    const absent = structuredClone(native);
    for (const p of absent.persons) p.presentDuringIncident = false;
    // A victim marked present is an adult: that does not make "children present".
    absent.persons[0].presentDuringIncident = true;
    expect(translated(absent).domesticAbuse?.childrenPresent).toBe(false);
  });

  it('treats a victim under 18 on the day of the incident as a child', () => {
    const young = structuredClone(native);
    young.persons[0].dob = '2008-11-21'; // 18 the day after the incident
    expect(translated(young).subjects[0]).toMatchObject({ kind: 'child', role: 'victim' });
    young.persons[0].dob = '2008-11-20'; // 18 on the day
    expect(translated(young).subjects[0]).toMatchObject({ kind: 'adult', role: 'victim' });
  });
});

describe('police PPN: high risk, strategy discussion, unborn child', () => {
  const contact = translated(sample('ppn-high-risk-unborn.json'));

  it('is immediate and keeps the DASH level and count', () => {
    expect(contact.urgency).toBe('immediate');
    expect(contact.domesticAbuse).toEqual({ dashRiskLevel: 'high', childrenPresent: false, dashYesCount: 16 });
  });

  it('maps the unborn child with its expected date and both parents', () => {
    expect(contact.subjects.find((s) => s.subjectRef === 'U1')).toEqual({
      subjectRef: 'U1',
      kind: 'unborn',
      role: 'subject',
      familyName: 'Kowalczyk',
      expectedDate: '2027-01-25',
    });
    expect(contact.household?.relationships?.filter((r) => r.to === 'U1')).toEqual([
      { from: 'V1', to: 'U1', type: 'parent' },
      { from: 'S1', to: 'U1', type: 'parent' },
    ]);
  });

  it('maps parental substance misuse to both CIN codes, each with the police label', () => {
    expect(contact.presentingIssues).toEqual([
      { code: '3', label: 'DOMESTIC_ABUSE' },
      { code: '1B', label: 'PARENTAL_SUBSTANCE_MISUSE' },
      { code: '2B', label: 'PARENTAL_SUBSTANCE_MISUSE' },
    ]);
  });

  it('records refused consent with the reason and the lawful basis for sharing anyway', () => {
    expect(contact.consent).toEqual({ status: 'refused', reason: expect.stringContaining('Victim declined'), lawfulBasis: 'section-47' });
  });
});

describe('police Merlin: missing child, information only', () => {
  const contact = translated(sample('merlin-missing-information-only.json'));

  it('is marked information only and routine', () => {
    expect(contact.informationOnly).toBe(true);
    expect(contact.urgency).toBe('routine');
  });

  it('carries an unknown police category as 20 (other) with its label and its own code, rather than refusing the notification', () => {
    expect(contact.presentingIssues).toEqual([
      { code: '10A', label: 'MISSING' },
      { code: '11A', label: 'CSE' },
      {
        code: '20',
        label: 'COUNTY_LINES',
        coding: { system: 'https://mash-hub.example.org/fhir/CodeSystem/police-category', code: 'COUNTY_LINES' },
      },
    ]);
  });

  it('records consent given, with no reason or basis needed', () => {
    expect(contact.consent).toEqual({ status: 'given' });
  });

  it('has no DASH section when the form has none', () => {
    expect(contact.domesticAbuse).toBeUndefined();
  });

  it('keeps a name outside ASCII as written', () => {
    expect(contact.referrer.name).toBe('PC Siobhán Ní Bhriain');
  });
});

describe('police notifications that must be refused', () => {
  it('refuses a notification with no consent answer, naming the consent rule', () => {
    expect(errorsOf(sample('invalid-no-consent.json'))).toEqual(['/consent consent-required']);
  });

  it('names each bad identifier, date, phone, postcode and dangling relationship in the police record', () => {
    expect(errorsOf(sample('invalid-identifiers.json')).sort()).toEqual([
      '/address/postcode pattern',
      '/officerInCase/phone pattern',
      '/persons/0/dob format',
      '/persons/0/nhsNumber format',
      '/persons/1/relationships/0/personId reference',
    ]);
  });

  it('refuses a DASH count that disagrees with the answers, and refused consent without a lawful basis', () => {
    expect(errorsOf(sample('invalid-dash-and-consent.json')).sort()).toEqual([
      '/consent/lawfulBasis required',
      '/dash/yesCount dash-count',
    ]);
  });

  it('lists every problem of an incomplete form at once', () => {
    expect(errorsOf(sample('invalid-incomplete-form.json')).sort()).toEqual([
      '/categories minItems',
      '/consent/asked enum',
      '/incident/summary required',
      '/notificationId pattern',
      '/officerInCase/collarNumber required',
      '/persons/0/role enum',
      '/persons/1/dueDate required',
      '/persons/1/personId unique',
      '/referralType required',
      '/submittedAt format',
    ]);
  });

  it.each([null, 'PVP', 42, [], {}])('refuses %p without throwing', (junk) => {
    const result = toContact(junk);
    expect(result.ok).toBe(false);
  });

  it('never reads inherited properties of a hostile record', () => {
    const hostile = JSON.parse('{"__proto__": {"consent": {"asked": "YES", "outcome": "GIVEN"}}}');
    expect(errorsOf(hostile)).toContain('/consent consent-required');
    expect(({} as any).consent).toBeUndefined();
  });
});

describe('police samples', () => {
  it('are all exercised here: valid ones translate, invalid-* ones are refused', () => {
    const all = verdicts();
    expect(all.length).toBeGreaterThan(3);
    expect(all.map((v) => v.actual)).toEqual(all.map((v) => v.expected));
  });
});
