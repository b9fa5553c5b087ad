import { join } from 'node:path';
import { validateContact } from '@mash/contracts';
import { translationSamples } from '@mash/adapter-kit';
import { toContact, yearGroupCode } from './translate';

const { sample, translated, errorsOf, verdicts } = translationSamples(join(__dirname, '..', 'samples'), toContact);

describe('education: CPOMS record about a pupil and her linked sibling', () => {
  const native = sample('cpoms-neglect-siblings.json');
  const contact = translated(native);

  it('maps every field it should', () => {
    expect(contact).toEqual({
      agencyReference: '123456:CPOMS-48213', // school URN : system - concern id
      referrer: {
        name: 'Mrs K Patel',
        role: 'Designated Safeguarding Lead',
        organisation: 'Example Primary School',
        phone: '01632 960 456',
        source: '2A',
        channel: { kind: 'email', address: 'dsl@example-primary.sch.uk' },
      },
      subjects: [
        {
          subjectRef: 'pupil-1',
          kind: 'child',
          role: 'subject',
          givenName: 'Amy',
          familyName: 'Example',
          dateOfBirth: '2019-03-02',
          sex: 'female',
          identifiers: { upn: 'P123456789123' },
          school: 'Example Primary School',
          yearGroup: '2',
        },
        {
          subjectRef: 'pupil-2',
          kind: 'child',
          role: 'sibling',
          givenName: 'Zofia',
          familyName: 'Wiśniewska',
          dateOfBirth: '2016-10-11',
          sex: 'female',
          identifiers: { upn: 'X12345678912A' },
          school: 'Example Primary School',
          yearGroup: '5',
        },
        { subjectRef: 'contact-1', kind: 'adult', role: 'parent-carer', givenName: 'Beth', familyName: 'Example', residentAtAddress: true },
      ],
      household: {
        address: { lines: ['1 Example Street'], town: 'Exampleton', postcode: 'EX1 2AB' },
        relationships: [
          { from: 'pupil-2', to: 'pupil-1', type: 'sibling' },
          { from: 'contact-1', to: 'pupil-1', type: 'parent' },
        ],
      },
      presentingIssues: [
        { code: '16A', label: 'Neglect' },
        {
          code: '20',
          label: 'Attendance',
          coding: { system: 'https://mash-hub.example.org/fhir/CodeSystem/school-category', code: 'Attendance' },
        },
      ],
      narrative: [
        native.concern.narrative,
        `Voice of the child: ${native.concern.voiceOfTheChild}`,
        'Actions taken:\n- 2026-11-21 09:30 Mrs K Patel: Gave breakfast; spoke to both girls separately.\n- 2026-11-21 15:20 Mrs K Patel: Spoke to mother at pick-up; she agreed to a referral for support.',
        'Staff alerted: Mrs K Patel (DSL), Mr J Singh (deputy DSL).',
      ].join('\n\n'),
      incident: { occurredAt: '2026-11-21T08:50:00Z' },
      consent: { status: 'given' },
      urgency: 'routine', // early help only
    });
  });

  it('is a valid canonical contact', () => {
    expect(validateContact(contact).ok).toBe(true);
  });

  it('says so when the DSL had not been informed, without refusing the record', () => {
    const copy = structuredClone(native);
    copy.concern.dslInformed = false;
    expect(translated(copy).narrative).toContain('designated safeguarding lead had not been informed');
  });

  it('accepts a backdated concern but not one dated after it was recorded', () => {
    const copy = structuredClone(native);
    copy.concern.occurredAt = '2026-11-14T08:50:00Z';
    expect(translated(copy).incident).toEqual({ occurredAt: '2026-11-14T08:50:00Z' });
    copy.concern.occurredAt = '2026-11-21T09:21:00Z';
    expect(errorsOf(copy)).toEqual(['/concern/occurredAt after-recorded']);
  });

  it('accepts a UPN typed in lower case, and refuses a UPN alongside a UPNunknown reason', () => {
    const copy = structuredClone(native);
    copy.student.upn = 'p123456789123';
    expect(translated(copy).subjects[0].identifiers).toEqual({ upn: 'P123456789123' });
    copy.student.upnUnknown = 'UN1';
    expect(errorsOf(copy)).toEqual(['/student/upnUnknown conflict']);
  });

  it.each([
    ['Child on child sexual abuse', '19B'],
    ['Peer-on-peer abuse', '18B'],
    ['FGM', '22A'],
    ['Young Carer', '7A'],
    ['County lines', '24A'],
    ['Prevent', '20'],
  ])('maps the school category %p to %s, keeping the label', (label, code) => {
    const copy = structuredClone(native);
    copy.concern.categories = [label];
    const coding = code === '20' ? { coding: { system: 'https://mash-hub.example.org/fhir/CodeSystem/school-category', code: label } } : {};
    expect(translated(copy).presentingIssues).toEqual([{ code, label, ...coding }]);
  });
});

describe('education: Operation Encompass via MyConcern, consent not asked', () => {
  const contact = translated(sample('myconcern-operation-encompass.json'));

  it('maps Operation Encompass to domestic abuse (3) with its own label', () => {
    expect(contact.presentingIssues).toEqual([
      { code: '3', label: 'Operation Encompass' },
      { code: '4A', label: 'Mental Health' },
    ]);
  });

  it('is same-day because the school flagged child protection', () => {
    expect(contact.urgency).toBe('same-day');
  });

  it('records why consent was not asked and the lawful basis', () => {
    expect(contact.consent).toEqual({
      status: 'not-sought',
      reason: expect.stringContaining('Operation Encompass'),
      lawfulBasis: 'risk-of-significant-harm',
    });
  });
});

describe('education: immediate danger, pupil without a UPN, name in Arabic script', () => {
  const contact = translated(sample('cpoms-physical-abuse-immediate.json'));

  it('is immediate, keeps the name as written and carries no UPN', () => {
    expect(contact.urgency).toBe('immediate');
    expect(contact.subjects[0]).toEqual({
      subjectRef: 'pupil-1',
      kind: 'child',
      role: 'subject',
      givenName: 'آدم',
      familyName: 'حداد',
      dateOfBirth: '2021-12-01',
      sex: 'male',
      school: "St Mary's C of E Infant School",
      yearGroup: 'R',
    });
  });

  it('says a body map is held by the school, without carrying it', () => {
    expect(contact.narrative).toContain('body map');
  });
});

describe('year groups as school systems print them', () => {
  it.each([
    ['Reception', 'R'],
    ['YR', 'R'],
    ['Nursery 1', 'N1'],
    ['N2', 'N2'],
    ['Year 3', '3'],
    ['Y11', '11'],
    ['9', '9'],
    ['year 13', '13'],
  ])('%p is NC year %p', (printed, code) => {
    expect(yearGroupCode(printed)).toBe(code);
  });
  it.each(['Year 0', 'Year 15', 'Lower sixth form', ''])('%p is not a year group', (printed) => {
    expect(yearGroupCode(printed)).toBeUndefined();
  });
});

describe('school records that must be refused', () => {
  it('refuses a record without a consent answer', () => {
    expect(errorsOf(sample('invalid-no-consent.json'))).toEqual(['/consent consent-required']);
  });

  it('names a bad UPN, year group, date, DSL email and a fourth category', () => {
    expect(errorsOf(sample('invalid-upn-year-categories.json'))).toEqual([
      '/concern/categories maxItems',
      '/linkedStudents/0/dob format',
      '/linkedStudents/0/yearGroup year-group',
      '/school/dsl/email format',
      '/student/upn format',
    ]);
  });

  it('refuses consent refused without reason or basis, a concern dated after recording, no DSL email, a NUL narrative', () => {
    expect(errorsOf(sample('invalid-consent-dates-dsl.json'))).toEqual([
      '/concern/narrative pattern',
      '/concern/occurredAt after-recorded',
      '/consent/lawfulBasis required',
      '/consent/reason required',
      '/school/dsl/email required',
    ]);
  });

  it.each([null, 'CPOMS', 3, [], {}])('refuses %p without throwing', (junk) => {
    expect(toContact(junk).ok).toBe(false);
  });
});

describe('education samples', () => {
  it('are all exercised here: valid ones translate, invalid-* ones are refused', () => {
    const all = verdicts();
    expect(all.length).toBeGreaterThan(3);
    expect(all.map((v) => v.actual)).toEqual(all.map((v) => v.expected));
  });
});
