import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { envelopeSchema } from './envelope';
import { isValidNhsNumber, isValidUpn } from './identifiers';
import { commonSchema } from './schemas/common';
import { contactSchema } from './schemas/contact';
import { eventSchemas } from './schemas/events';
import { topicDefinition, TopicKind } from './topics';

/** One broken rule: where (a JSON pointer into the input), which rule, and a sentence for people. */
export interface FieldError {
  path: string;
  rule: string;
  message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

function buildAjv(): Ajv {
  // allErrors: a sender fixing a rejected contact wants every broken field at once, not one per try.
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats(ajv);
  ajv.addFormat('nhs-number', { type: 'string', validate: isValidNhsNumber });
  ajv.addFormat('upn', { type: 'string', validate: isValidUpn });
  ajv.addSchema(commonSchema);
  ajv.addSchema(contactSchema);
  ajv.addSchema(envelopeSchema);
  for (const s of Object.values(eventSchemas)) ajv.addSchema(s);
  return ajv;
}

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function validator(schemaId: string): ValidateFunction {
  ajv ??= buildAjv();
  let fn = compiled.get(schemaId);
  if (!fn) {
    fn = ajv.getSchema(schemaId);
    if (!fn) throw new Error(`no schema '${schemaId}'`);
    compiled.set(schemaId, fn);
  }
  return fn;
}

export function describeErrors(errors: ErrorObject[] | null | undefined, prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors ?? []) {
    // if/then and oneOf add a summary error on top of the real ones; the real ones say more.
    if (e.keyword === 'if') continue;
    let path = prefix + e.instancePath;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      path = `${path}/${(e.params as { missingProperty: string }).missingProperty}`;
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      path = `${path}/${(e.params as { additionalProperty: string }).additionalProperty}`;
      message = 'is not a known field';
    } else if (e.keyword === 'enum') {
      message = `must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
    } else if (e.keyword === 'format') {
      message = `must be a valid ${(e.params as { format: string }).format}`;
    } else if (e.keyword === 'false schema') {
      // A field the schema forbids in this context; say which context, not "boolean schema is false".
      message =
        /\/referrer\/(name|phone)$/.test(path) && e.schemaPath.includes('/then/')
          ? 'must be left out: an anonymous referrer (source 9) gives no name or phone'
          : 'is not allowed here';
    } else if (e.keyword === 'const') {
      message = `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
      if (/\/referrer\/channel\/kind$/.test(path) && e.schemaPath.includes('/then/'))
        message += ': an anonymous referrer (source 9) can be sent no notice';
    }
    out.push({ path: path || '/', rule: e.keyword, message });
  }
  return out;
}

export function validateSchema<T>(schemaId: string, value: unknown, prefix = ''): ValidationResult<T> {
  const fn = validator(schemaId);
  if (fn(value)) return { ok: true, value: value as T };
  return { ok: false, errors: describeErrors(fn.errors, prefix) };
}

/** A contact as an adapter submits it. */
export function validateContact(value: unknown) {
  return validateSchema<import('./types').Contact>('contact', value);
}

/** The data of a message of a topic kind. */
export function validateData<T>(kind: TopicKind, data: unknown): ValidationResult<T> {
  return validateSchema<T>(kind, data, '/data');
}

/** A whole envelope read from (or about to be written to) a topic: envelope, then the topic's data schema. */
export function validateMessage<T>(topic: string, message: unknown): ValidationResult<import('./envelope').Envelope<T>> {
  const def = topicDefinition(topic);
  if (!def) return { ok: false, errors: [{ path: '/', rule: 'topic', message: `unknown topic '${topic}'` }] };
  const env = validateSchema<import('./envelope').Envelope<T>>('envelope', message);
  if (!env.ok) return env;
  const data = validateData<T>(def.kind, (message as { data: unknown }).data);
  if (!data.ok) return data;
  return env;
}
