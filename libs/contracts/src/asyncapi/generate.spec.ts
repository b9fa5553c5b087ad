import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { invalidExamples, validExamples } from '../examples';
import { isValidNhsNumber, isValidUpn } from '../identifiers';
import { TOPIC_DEFINITIONS } from '../topics';
import { buildAsyncApi, buildOpenApiComponents } from './generate';

const doc = buildAsyncApi() as any;

/** A fresh validator that knows nothing of our ajv ids: it sees only the generated document. */
function documentValidator(document: object, pointer: string) {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('nhs-number', { type: 'string', validate: isValidNhsNumber });
  ajv.addFormat('upn', { type: 'string', validate: isValidUpn });
  ajv.addSchema({ ...document, $id: 'doc' });
  return ajv.compile({ $ref: `doc#${pointer}` });
}

function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}
const resolve = (document: any, ref: string) =>
  ref
    .slice(2)
    .split('/')
    .reduce((at, part) => at?.[part], document);

describe('AsyncAPI document', () => {
  it('is AsyncAPI 3.0 with a Kafka server', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.servers.local.protocol).toBe('kafka');
  });

  it.each(TOPIC_DEFINITIONS.map((t) => [t.name, t] as const))('has a channel for %s with its envelope and data schema', (name, topic) => {
    const channels = Object.values(doc.channels).filter((c: any) => c.address === name) as any[];
    expect(channels).toHaveLength(1);
    const message = resolve(doc, channels[0].messages[topic.kind].$ref);
    expect(message.payload.required).toEqual(expect.arrayContaining(['id', 'type', 'key', 'data']));
    const data = resolve(doc, message.payload.properties.data.$ref);
    expect(data.type).toBe('object');
    expect(message.bindings.kafka.key.type).toBe('string');
    expect(channels[0].bindings.kafka.partitions).toBe(topic.partitions);
  });

  it('has one operation per channel, the hub receiving only contact submissions and check replies', () => {
    const ops = Object.values(doc.operations) as any[];
    expect(ops).toHaveLength(TOPIC_DEFINITIONS.length);
    const received = ops
      .filter((o) => o.action === 'receive')
      .map((o) => resolve(doc, o.channel.$ref).address)
      .sort();
    expect(received).toEqual(
      TOPIC_DEFINITIONS.filter((t) => t.kind === 'contactInbound' || t.kind === 'checkReplied')
        .map((t) => t.name)
        .sort(),
    );
  });

  it('resolves every $ref inside the document and keeps no ajv ids', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(50);
    for (const ref of all) expect({ ref, found: ref.startsWith('#/') && resolve(doc, ref) !== undefined }).toEqual({ ref, found: true });
    expect(JSON.stringify(doc)).not.toContain('"$id"');
  });

  it.each(Object.keys(doc.components.messages))('%s: its example passes its own payload schema, read from the document alone', (kind) => {
    const validate = documentValidator(doc, `/components/messages/${kind}/payload`);
    for (const example of doc.components.messages[kind].examples) expect(validate(example.payload) ? [] : validate.errors).toEqual([]);
  });

  it('refuses every invalid example through the document alone, as the hub does', () => {
    for (const bad of invalidExamples) {
      const validate = documentValidator(doc, `/components/schemas/${bad.kind.charAt(0).toUpperCase()}${bad.kind.slice(1)}`);
      expect({ why: bad.why, ok: validate(bad.value) }).toEqual({ why: bad.why, ok: false });
    }
  });
});

describe('OpenAPI components', () => {
  const components = buildOpenApiComponents() as any;

  it('give the contact and everything it references, and no case events', () => {
    expect(Object.keys(components.schemas)).toEqual(
      expect.arrayContaining(['Contact', 'FieldError', 'id', 'shortText', 'consent', 'lawfulBasis', 'nhsNumber', 'upn']),
    );
    expect(components.schemas.CaseRated).toBeUndefined();
    for (const ref of refs(components)) expect(components.schemas[ref.replace('#/components/schemas/', '')]).toBeDefined();
  });

  it('validate the example contacts and refuse one without consent, read from the components alone', () => {
    const validate = documentValidator({ components }, '/components/schemas/Contact');
    expect(validate(validExamples.contactInbound.submission)).toBe(true);
    const { consent: _c, ...noConsent } = validExamples.contactReceived.contact;
    expect(validate(noConsent)).toBe(false);
  });
});
