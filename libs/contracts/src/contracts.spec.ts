import { Envelope } from './envelope';
import { invalidExamples, validExamples } from './examples';
import { TOPIC_DEFINITIONS, TopicKind } from './topics';
import { validateContact, validateData, validateMessage } from './validation';

const KINDS = Object.keys(validExamples) as TopicKind[];

function envelope(kind: TopicKind, data: unknown): Envelope {
  return {
    id: `msg-${kind}-1`,
    type: kind,
    occurredAt: '2026-11-21T07:02:11.123Z',
    producer: 'contract-tests',
    key: 'case-2026-000123',
    correlationId: 'ct-2026-000123',
    data,
  };
}

describe('valid examples', () => {
  it('cover every topic kind that has a topic', () => {
    expect(new Set(KINDS)).toEqual(new Set(TOPIC_DEFINITIONS.map((t) => t.kind)));
  });

  it.each(KINDS)('%s passes its own schema', (kind) => {
    const result = validateData(kind, validExamples[kind]);
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it.each(KINDS)('%s is refused by every other kind (schemas are not interchangeable)', (kind) => {
    for (const other of KINDS.filter((k) => k !== kind)) {
      // contactReceived and contactInbound both wrap a contact but under different fields.
      expect({ other, ok: validateData(other, validExamples[kind]).ok }).toEqual({ other, ok: false });
    }
  });
});

describe('invalid examples', () => {
  it('exist for every kind', () => {
    const covered = new Set(invalidExamples.map((e) => e.kind));
    expect(KINDS.filter((k) => !covered.has(k))).toEqual([]);
  });

  it.each(invalidExamples.map((e) => [e.kind, e.why, e] as const))('%s: %s', (kind, _why, example) => {
    const result = validateData(kind, example.value);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    // validateData reports paths inside the envelope's data.
    expect(result.errors.map((e) => `${e.path} ${e.rule}`)).toContain(`/data${example.path} ${example.rule}`);
    for (const e of result.errors) expect(e.message.length).toBeGreaterThan(0);
  });
});

describe('contact (as an adapter submits it)', () => {
  it('accepts the canonical examples', () => {
    expect(validateContact(validExamples.contactReceived.contact).ok).toBe(true);
    expect(validateContact(validExamples.contactInbound.submission).ok).toBe(true);
  });

  it('reports paths from the contact root, without /data', () => {
    const { consent: _dropped, ...noConsent } = validExamples.contactReceived.contact;
    const result = validateContact(noConsent);
    expect(result).toEqual({ ok: false, errors: [{ path: '/consent', rule: 'required', message: 'is required' }] });
  });

  it('accepts names in any script and injection-looking text as text', () => {
    const contact = structuredClone(validExamples.contactReceived.contact);
    contact.subjects[0].givenName = 'محمد';
    contact.subjects[0].familyName = '王小明';
    contact.subjects[1].givenName = 'Zoë-Łucja';
    contact.subjects[1].familyName = "O'Brien";
    contact.narrative = "<script>alert(1)</script> Robert'); DROP TABLE contacts;-- 😀";
    expect(validateContact(contact).ok).toBe(true);
  });
});

describe('messages on topics', () => {
  it.each(TOPIC_DEFINITIONS.map((t) => [t.name, t.kind] as const))('%s round-trips its example through JSON', (topic, kind) => {
    const wire = JSON.parse(JSON.stringify(envelope(kind, validExamples[kind])));
    const result = validateMessage(topic, wire);
    expect(result.ok ? [] : result.errors).toEqual([]);
    if (result.ok) expect(result.value).toEqual(envelope(kind, validExamples[kind]));
  });

  it.each(TOPIC_DEFINITIONS.map((t) => [t.name, t.kind] as const))('%s refuses data of another kind', (topic, kind) => {
    const other = kind === 'deadLetter' ? 'checkChased' : 'deadLetter';
    const result = validateMessage(topic, envelope(kind, validExamples[other]));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.every((e) => e.path.startsWith('/data'))).toBe(true);
  });

  it('refuses an envelope without a key (the case id is the partition key)', () => {
    const { key: _key, ...noKey } = envelope('caseRated', validExamples.caseRated);
    expect(validateMessage(TOPIC_DEFINITIONS[1].name, noKey)).toEqual({
      ok: false,
      errors: [{ path: '/key', rule: 'required', message: 'is required' }],
    });
  });

  it('refuses an envelope whose data is not an object', () => {
    const result = validateMessage('mash.case.rated.v1', { ...envelope('caseRated', null), data: 'RED' });
    expect(result.ok ? [] : result.errors.map((e) => `${e.path} ${e.rule}`)).toEqual(['/data type']);
  });

  it('refuses a topic it does not know', () => {
    expect(validateMessage('mash.case.rated.v0', envelope('caseRated', validExamples.caseRated))).toEqual({
      ok: false,
      errors: [{ path: '/', rule: 'topic', message: "unknown topic 'mash.case.rated.v0'" }],
    });
  });
});
