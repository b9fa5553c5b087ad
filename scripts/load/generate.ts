import type { Contact, ContactSubject, ReferralSource, SubmittingAgency } from '@mash/contracts';
import { nhsNumberCheckDigit, upnCheckLetter } from '@mash/contracts';
import { Dice, prng } from '@mash/contracts/examples/seededRandom';

/**
 * Realistic canonical contacts for load and fault runs, the same list for the same seed.
 *
 * Mix, from the source reports (see the domain notes): police send the largest share (35% of
 * London referrals), then schools, health and the council's contact centre; ratings land near
 * Westminster's Green ~58% / Amber ~32% / Red ~10%. Families are distinct households with one to
 * three children; a share of contacts are repeats about a family already reported (a new incident),
 * and a share are a second agency's report of the same incident about the same child, which must
 * join the first report's case.
 */

export type ContactKind = 'new' | 'repeat' | 'duplicate-incident';
export type IntendedRating = 'RED' | 'AMBER' | 'GREEN';

export interface GeneratedContact {
  /** Position in the list: the posting order. */
  index: number;
  agency: SubmittingAgency;
  contact: Contact;
  family: number;
  kind: ContactKind;
  /** For a duplicate incident: the index of the contact whose case it must join. */
  sameCaseAs?: number;
  intended: IntendedRating;
}

export interface GenerateOptions {
  count: number;
  seed: number;
  /** New families' incidents fall 30 to 33 days before this instant; repeats follow them, a day or more apart. */
  baseTime: Date;
  /** Put in every agency and incident reference, so two runs against one hub never collide. */
  tag?: string;
  /** Shares of repeats and duplicate incidents (defaults 0.15 and 0.06). */
  repeatShare?: number;
  duplicateShare?: number;
  /** Multiplies the weight of the profiles of a rating (the fault suite wants more Red cases, whose timers fire). */
  ratingWeights?: Partial<Record<IntendedRating, number>>;
}

const GIVEN = [
  'Amy',
  'Ben',
  'Chloe',
  'Daniel',
  'Ella',
  'Finn',
  'Grace',
  'Harry',
  'Isla',
  'Jack',
  'Keira',
  'Leo',
  'Maya',
  'Noah',
  'Olivia',
  'Priya',
  'Quinn',
  'Ruby',
  'Sami',
  'Tia',
  'Usman',
  'Zofia',
  'Aisha',
  'Kacper',
  'Mei',
  'Oluwaseun',
];
const ADULT_GIVEN = [
  'Beth',
  'Carl',
  'Dawn',
  'Eddie',
  'Fatima',
  'Gary',
  'Hannah',
  'Imran',
  'Joanne',
  'Kevin',
  'Lisa',
  'Mark',
  'Nadia',
  'Paul',
];
const FAMILY = [
  'Example',
  'Sample',
  'Taylor',
  'Khan',
  'Nowak',
  'Okafor',
  'Smith',
  'Patel',
  'Jones',
  'Murphy',
  'Ahmed',
  'Wiśniewska',
  'Brown',
  'Evans',
  'Walker',
  'Chen',
  'Ali',
  'Hughes',
  'Kowalski',
  'Mensah',
];
const STREETS = [
  'Example Street',
  'Church Road',
  'Station Road',
  'Park Avenue',
  'Mill Lane',
  'Victoria Road',
  'High Street',
  'Queens Road',
];
const TOWNS = ['Exampleton', 'Sampleford', 'Testbury'];
const LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

interface Family {
  id: number;
  familyName: string;
  postcode: string;
  line1: string;
  town: string;
  children: ContactSubject[];
  mother: ContactSubject;
  partner: ContactSubject;
}

interface Profile {
  agency: SubmittingAgency;
  intended: IntendedRating;
  build(f: Family, r: Dice, ref: string, incidentAt: string): Omit<Contact, 'agencyReference'>;
}

function nhsNumber(r: Dice): string {
  for (;;) {
    const first9 = String(r.int(400000000, 999999999));
    const check = nhsNumberCheckDigit(first9);
    if (check !== undefined) return `${first9}${check}`;
  }
}

function upn(r: Dice): string {
  const body = `${r.int(100, 999)}${r.int(1000, 9999)}${r.int(10, 25)}${r.int(100, 999)}`;
  return `${upnCheckLetter(body)}${body}`;
}

const iso = (d: Date) => d.toISOString().slice(0, 10);

/**
 * A date of birth no one else with the same names has in the generated population: two families
 * whose children share a name and a date of birth are one child to triage (as to any MASH), so a
 * collision the name pools make likely at 10,000 contacts would turn two intended cases into one.
 */
function uniqueBirth(taken: Set<string>, given: string, family: string, draw: () => Date): string {
  for (;;) {
    const dob = iso(draw());
    const key = `${given}|${family}|${dob}`;
    if (!taken.has(key)) {
      taken.add(key);
      return dob;
    }
  }
}

function makeFamily(id: number, r: Dice, baseTime: Date, taken: Set<string>): Family {
  const familyName = r.pick(FAMILY);
  const year = baseTime.getUTCFullYear();
  const childCount = r.chance(0.5) ? 1 : r.chance(0.6) ? 2 : 3;
  const children: ContactSubject[] = [];
  for (let c = 0; c < childCount; c++) {
    const age = r.int(0, 16);
    const givenName = r.pick(GIVEN);
    const dateOfBirth = uniqueBirth(taken, givenName, familyName, () => new Date(Date.UTC(year - age - 1, r.int(0, 11), r.int(1, 28))));
    children.push({
      subjectRef: `c${c + 1}`,
      kind: 'child',
      role: c === 0 ? 'subject' : 'sibling',
      givenName,
      familyName,
      dateOfBirth,
      sex: r.chance(0.5) ? 'female' : 'male',
      identifiers: { nhsNumber: nhsNumber(r), ...(age >= 4 ? { upn: upn(r) } : {}) },
      residentAtAddress: true,
    });
  }
  const postcode = `${r.pick(['EX', 'SA', 'TB'])}${r.int(1, 29)} ${r.int(1, 9)}${r.pick(LETTERS.split(''))}${r.pick(LETTERS.split(''))}`;
  return {
    id,
    familyName,
    postcode,
    line1: `${r.int(1, 240)} ${r.pick(STREETS)}`,
    town: r.pick(TOWNS),
    children,
    mother: adult(
      r,
      taken,
      'a1',
      'parent-carer',
      familyName,
      () => new Date(Date.UTC(year - r.int(22, 45), r.int(0, 11), r.int(1, 28))),
      'female',
    ),
    partner: adult(
      r,
      taken,
      'a2',
      'alleged-perpetrator',
      r.pick(FAMILY),
      () => new Date(Date.UTC(year - r.int(22, 50), r.int(0, 11), r.int(1, 28))),
      'male',
    ),
  };
}

function adult(
  r: Dice,
  taken: Set<string>,
  subjectRef: string,
  role: ContactSubject['role'],
  familyName: string,
  draw: () => Date,
  sex: 'female' | 'male',
): ContactSubject {
  const givenName = r.pick(ADULT_GIVEN);
  return { subjectRef, kind: 'adult', role, givenName, familyName, dateOfBirth: uniqueBirth(taken, givenName, familyName, draw), sex };
}

const household = (f: Family) => ({
  address: { lines: [f.line1], town: f.town, postcode: f.postcode },
  relationships: [
    ...f.children.map((c) => ({ from: 'a1', to: c.subjectRef, type: 'parent' as const })),
    { from: 'a2', to: 'a1', type: 'partner' as const },
  ],
});

/** Children as a given agency knows them: schools by UPN, others by NHS number. */
function childrenAs(f: Family, agency: SubmittingAgency, all: boolean, extra: Partial<ContactSubject> = {}): ContactSubject[] {
  const kids = all ? f.children : [f.children[0]];
  return kids
    .map((c) => {
      const ids =
        agency === 'education'
          ? c.identifiers?.upn
            ? { upn: c.identifiers.upn }
            : {}
          : agency === 'contact-centre'
            ? {}
            : { nhsNumber: c.identifiers!.nhsNumber };
      return { ...c, identifiers: Object.keys(ids).length ? ids : undefined, ...extra };
    })
    .map((c) => (c.identifiers === undefined ? (({ identifiers: _drop, ...rest }) => rest)(c) : c));
}

const police = (source: ReferralSource = '6') => ({
  name: 'PC J Walker',
  role: 'Officer in the case',
  organisation: 'Example Constabulary',
  source,
  channel: { kind: 'topic' as const },
});
const school = {
  name: 'Mrs K Patel',
  role: 'Designated Safeguarding Lead',
  organisation: 'Example Primary School',
  source: '2A' as ReferralSource,
  channel: { kind: 'topic' as const },
};
const gp = (source: ReferralSource) => ({
  name: 'Dr A Shah',
  role: source === '3B' ? 'Health visitor' : 'GP',
  organisation: 'Example Health Centre',
  source,
  channel: { kind: 'topic' as const },
});
const notSought = {
  status: 'not-sought' as const,
  reason: 'Seeking consent may place the child at risk',
  lawfulBasis: 'risk-of-significant-harm' as const,
};

/** Each profile is one realistic kind of contact; weights give the source and rating mix. */
const PROFILES: { weight: number; profile: Profile }[] = [
  // Police: 35% in all.
  {
    weight: 5,
    profile: {
      agency: 'police',
      intended: 'RED',
      build: (f, r, ref, at) => ({
        referrer: police(),
        subjects: [...childrenAs(f, 'police', true, { presentDuringIncident: true }), f.mother, f.partner],
        household: household(f),
        presentingIssues: [{ code: '3', label: 'Domestic abuse' }],
        narrative: 'Police attended a domestic incident; the children were present. DASH high.',
        incident: { occurredAt: at, place: 'Home address', reference: ref },
        domesticAbuse: { dashRiskLevel: 'high', childrenPresent: true, dashYesCount: r.int(14, 22) },
        consent: notSought,
        urgency: 'immediate',
      }),
    },
  },
  {
    weight: 14,
    profile: {
      agency: 'police',
      intended: 'AMBER',
      build: (f, r, ref, at) => ({
        referrer: police(),
        subjects: [...childrenAs(f, 'police', true, { presentDuringIncident: true }), f.mother, f.partner],
        household: household(f),
        presentingIssues: [{ code: '3', label: 'Domestic abuse' }],
        narrative: 'Police attended a domestic incident; the child was present.',
        incident: { occurredAt: at, place: 'Home address', reference: ref },
        domesticAbuse: { dashRiskLevel: 'medium', childrenPresent: true, dashYesCount: r.int(8, 13) },
        consent: notSought,
        urgency: 'same-day',
      }),
    },
  },
  {
    weight: 16,
    profile: {
      agency: 'police',
      intended: 'GREEN',
      build: (f, r, ref, at) => ({
        referrer: police(),
        subjects: [...childrenAs(f, 'police', false), f.mother, f.partner],
        household: household(f),
        presentingIssues: [{ code: '3', label: 'Domestic abuse' }],
        narrative: 'Verbal argument reported by a neighbour; the child was asleep upstairs.',
        incident: { occurredAt: at, place: 'Home address', reference: ref },
        domesticAbuse: { dashRiskLevel: 'standard', childrenPresent: false, dashYesCount: r.int(0, 5) },
        consent: { status: 'given' },
        urgency: 'routine',
      }),
    },
  },
  // Schools: 25%.
  {
    weight: 2,
    profile: {
      agency: 'education',
      intended: 'RED',
      build: (f, _r, _ref, at) => ({
        referrer: school,
        subjects: childrenAs(f, 'education', false),
        household: household(f),
        presentingIssues: [{ code: '19C', label: 'Sexual abuse' }],
        narrative: 'A pupil disclosed sexual abuse to a teaching assistant.',
        incident: { occurredAt: at, place: 'School' },
        consent: notSought,
        urgency: 'immediate',
      }),
    },
  },
  {
    weight: 7,
    profile: {
      agency: 'education',
      intended: 'AMBER',
      build: (f, _r, _ref, at) => ({
        referrer: school,
        subjects: childrenAs(f, 'education', false),
        household: household(f),
        presentingIssues: [{ code: '18C', label: 'Physical abuse' }],
        narrative: 'Bruising to the upper arm noticed in PE; the explanation does not fit.',
        incident: { occurredAt: at, place: 'School' },
        consent: { status: 'given' },
        urgency: 'same-day',
      }),
    },
  },
  {
    weight: 16,
    profile: {
      agency: 'education',
      intended: 'GREEN',
      build: (f, _r, _ref, at) => ({
        referrer: school,
        subjects: childrenAs(f, 'education', true),
        household: household(f),
        presentingIssues: [{ code: '16A', label: 'Neglect' }],
        narrative: 'The children arrive hungry most mornings and attendance is falling.',
        incident: { occurredAt: at, place: 'School' },
        consent: { status: 'given' },
        urgency: 'routine',
      }),
    },
  },
  // Health: 22% (GP, health visitor, A&E).
  {
    weight: 2,
    profile: {
      agency: 'health',
      intended: 'RED',
      build: (f, _r, _ref, at) => ({
        referrer: gp('3E'),
        subjects: childrenAs(f, 'health', false),
        household: household(f),
        presentingIssues: [{ code: '19C', label: 'Sexual abuse' }],
        narrative: 'Injuries seen in the emergency department suggest sexual abuse.',
        incident: { occurredAt: at, place: 'Emergency department' },
        consent: notSought,
        urgency: 'immediate',
      }),
    },
  },
  {
    weight: 7,
    profile: {
      agency: 'health',
      intended: 'AMBER',
      build: (f, _r, _ref, at) => ({
        referrer: gp('3B'),
        subjects: childrenAs(f, 'health', false),
        household: household(f),
        presentingIssues: [{ code: '18C', label: 'Physical abuse' }],
        narrative: 'Unexplained bruising seen at a home visit.',
        incident: { occurredAt: at, place: 'Home address' },
        consent: { status: 'given' },
        urgency: 'same-day',
      }),
    },
  },
  {
    weight: 13,
    profile: {
      agency: 'health',
      intended: 'GREEN',
      build: (f, _r, _ref, at) => ({
        referrer: gp('3A'),
        subjects: [...childrenAs(f, 'health', true), f.mother],
        household: household(f),
        presentingIssues: [{ code: '4B', label: 'Parental mental health' }],
        narrative: 'Mother is struggling with low mood; the children miss appointments.',
        incident: { occurredAt: at },
        consent: { status: 'given' },
        urgency: 'routine',
      }),
    },
  },
  // Contact centre (family members, neighbours, anonymous callers): 18%.
  {
    weight: 3,
    profile: {
      agency: 'contact-centre',
      intended: 'AMBER',
      build: (f, _r, _ref, at) => ({
        referrer: { name: 'Caller', role: 'Family member', source: '1A', channel: { kind: 'topic' } },
        subjects: childrenAs(f, 'contact-centre', false),
        household: household(f),
        presentingIssues: [{ code: '20', label: 'Other' }],
        narrative: 'A grandparent is very worried and asks for someone to visit today.',
        incident: { occurredAt: at },
        consent: { status: 'given' },
        urgency: 'immediate',
      }),
    },
  },
  {
    weight: 9,
    profile: {
      agency: 'contact-centre',
      intended: 'GREEN',
      build: (f, _r, _ref, at) => ({
        referrer: { name: 'Caller', role: 'Neighbour', source: '1D', channel: { kind: 'topic' } },
        subjects: childrenAs(f, 'contact-centre', true),
        household: household(f),
        presentingIssues: [{ code: '16A', label: 'Neglect' }],
        narrative: 'A neighbour says the children are often left alone in the evening.',
        incident: { occurredAt: at },
        consent: { status: 'given' },
        urgency: 'routine',
      }),
    },
  },
  {
    weight: 6,
    profile: {
      agency: 'contact-centre',
      intended: 'GREEN',
      build: (f, _r, _ref, at) => ({
        referrer: { source: '9', channel: { kind: 'none', reason: 'anonymous' } },
        subjects: childrenAs(f, 'contact-centre', false),
        household: household(f),
        presentingIssues: [{ code: '16A', label: 'Neglect' }],
        narrative: 'An anonymous caller worries about the condition of the home.',
        incident: { occurredAt: at },
        consent: { status: 'given' },
        urgency: 'routine',
      }),
    },
  },
];
function pickProfile(r: Dice, ratingWeights: Partial<Record<IntendedRating, number>>, not?: SubmittingAgency): Profile {
  const weight = (p: (typeof PROFILES)[number]) => p.weight * (ratingWeights[p.profile.intended] ?? 1);
  const total = PROFILES.reduce((s, p) => s + weight(p), 0);
  for (;;) {
    let x = r.next() * total;
    for (const p of PROFILES) {
      x -= weight(p);
      if (x < 0) {
        if (p.profile.agency !== not) return p.profile;
        break;
      }
    }
  }
}

/** The contacts for a seed: the same list, in the same order, every time. */
export function generateContacts(opts: GenerateOptions): GeneratedContact[] {
  const r = new Dice(prng(opts.seed));
  const tag = opts.tag ?? `S${opts.seed}`;
  const repeatShare = opts.repeatShare ?? 0.15;
  const duplicateShare = opts.duplicateShare ?? 0.06;
  const base = opts.baseTime.getTime();
  const weights = opts.ratingWeights ?? {};
  const families: Family[] = [];
  const out: GeneratedContact[] = [];
  // Each family's incidents are a day apart or more, so a repeat is never read as a duplicate.
  const lastIncident = new Map<number, number>();
  // Names and dates of birth already given to someone, so no two families share a person (uniqueBirth).
  const births = new Set<string>();
  for (let i = 0; i < opts.count; i++) {
    const agencyReference = `LOAD-${tag}-${String(i).padStart(6, '0')}`;
    const roll = r.next();
    const earlier = out.filter((g) => g.kind === 'new');
    if (earlier.length && roll < duplicateShare) {
      // Another agency's report of an incident already reported: same child, same issue, hours later.
      const of = r.pick(earlier);
      const f = families[of.family];
      const profile = pickProfile(r, weights, of.agency);
      const built = profile.build(f, r, `INC-${tag}-${i}`, of.contact.incident!.occurredAt!);
      const occurredAt = new Date(Date.parse(of.contact.incident!.occurredAt!) + r.int(10, 180) * 60_000).toISOString();
      const contact: Contact = {
        ...built,
        agencyReference,
        presentingIssues: of.contact.presentingIssues,
        domesticAbuse: of.contact.domesticAbuse,
        incident: {
          ...(built.incident ?? {}),
          occurredAt,
          ...(profile.agency === 'police' ? { reference: of.contact.incident?.reference ?? `INC-${tag}-${i}` } : {}),
        },
      };
      if (profile.agency !== 'police') delete (contact.incident as { reference?: string }).reference;
      out.push({
        index: i,
        agency: profile.agency,
        contact,
        family: f.id,
        kind: 'duplicate-incident',
        sameCaseAs: of.sameCaseAs ?? of.index,
        intended: of.intended,
      });
      continue;
    }
    let family: Family;
    let kind: ContactKind;
    let at: number;
    let profile: Profile;
    if (earlier.length && roll < duplicateShare + repeatShare) {
      // A repeat: a new incident in a family already reported, by the agency that reported it before.
      const prior = r.pick(earlier);
      family = families[prior.family];
      kind = 'repeat';
      profile = pickProfile(r, weights);
      while (profile.agency !== prior.agency) profile = pickProfile(r, weights);
      at = Math.min(base - 3_600_000, lastIncident.get(family.id)! + r.int(26, 96) * 3_600_000);
    } else {
      family = makeFamily(families.length, r, opts.baseTime, births);
      families.push(family);
      kind = 'new';
      profile = pickProfile(r, weights);
      // Thirty days back, so a family's repeats (a day or more apart) still fall before now.
      at = base - r.int(60, 72 * 60) * 60_000 - 30 * 24 * 3_600_000;
    }
    lastIncident.set(family.id, at);
    const built = profile.build(family, r, `INC-${tag}-${i}`, new Date(at).toISOString());
    out.push({
      index: i,
      agency: profile.agency,
      contact: { ...built, agencyReference },
      family: family.id,
      kind,
      intended: profile.intended,
    });
  }
  return out;
}

/** Counts for a generated list: what a run should expect to see. */
export function describeMix(list: readonly GeneratedContact[]) {
  const count = <K extends string>(f: (g: GeneratedContact) => K) =>
    list.reduce((m, g) => ((m[f(g)] = (m[f(g)] ?? 0) + 1), m), {} as Record<K, number>);
  return {
    contacts: list.length,
    families: new Set(list.map((g) => g.family)).size,
    expectedCases: list.filter((g) => g.kind !== 'duplicate-incident').length,
    byAgency: count((g) => g.agency),
    byKind: count((g) => g.kind),
    byIntendedRating: count((g) => g.intended),
    withSiblings: list.filter((g) => g.contact.subjects.filter((s) => s.kind === 'child').length > 1).length,
  };
}
