import { Contact, FieldError, validateContact, validateSchema } from '@mash/contracts';

/**
 * What every adapter's translator returns. Errors point into the agency's NATIVE record, because the
 * person who must fix it works in the agency's system and has never seen the canonical contact.
 *
 * Shared by the four adapters in apps/adapters/; it depends only on @mash/contracts so an agency
 * writing its own adapter can copy it unchanged.
 */
export type Translation = { ok: true; contact: Contact } | { ok: false; errors: FieldError[] };

/** Where each canonical contact field's rules live, so native values are checked by the contract itself. */
const CANONICAL = {
  agencyReference: 'contact#/properties/agencyReference',
  referrerName: 'contact#/properties/referrer/properties/name',
  referrerRole: 'contact#/properties/referrer/properties/role',
  organisation: 'contact#/properties/referrer/properties/organisation',
  odsCode: 'contact#/properties/referrer/properties/odsCode',
  phone: 'contact#/properties/referrer/properties/phone',
  subjectRef: 'contact#/properties/subjects/items/properties/subjectRef',
  givenName: 'contact#/properties/subjects/items/properties/givenName',
  familyName: 'contact#/properties/subjects/items/properties/familyName',
  date: 'contact#/properties/subjects/items/properties/dateOfBirth',
  nhsNumber: 'common#/definitions/nhsNumber',
  upn: 'common#/definitions/upn',
  policePersonId: 'contact#/properties/subjects/items/properties/identifiers/properties/policePersonId',
  school: 'contact#/properties/subjects/items/properties/school',
  gpPractice: 'contact#/properties/subjects/items/properties/gpPractice',
  ethnicity: 'contact#/properties/subjects/items/properties/ethnicity',
  addressLine: 'contact#/properties/household/properties/address/properties/lines/items',
  town: 'contact#/properties/household/properties/address/properties/town',
  postcode: 'contact#/properties/household/properties/address/properties/postcode',
  issueCode: 'contact#/properties/presentingIssues/items/properties/code',
  label: 'contact#/properties/presentingIssues/items/properties/label',
  narrative: 'contact#/properties/narrative',
  dateTime: 'common#/definitions/dateTime',
  place: 'contact#/properties/incident/properties/place',
  incidentReference: 'contact#/properties/incident/properties/reference',
  consentReason: 'contact#/properties/consent/properties/reason',
  email: 'contact#/properties/referrer/properties/channel/oneOf/2/properties/address',
  webhookUrl: 'contact#/properties/referrer/properties/channel/oneOf/0/properties/url',
} as const;
export type CanonicalField = keyof typeof CANONICAL;

interface Options {
  required?: boolean;
}

/**
 * Reads an agency's record by JSON pointer and collects every problem at once, each naming the
 * native field: a sender fixing a rejected record wants the whole list, not one error per attempt.
 */
export class NativeReader {
  readonly errors: FieldError[] = [];

  constructor(readonly root: unknown) {}

  fail(path: string, rule: string, message: string): undefined {
    this.add({ path: path || '/', rule, message });
    return undefined;
  }

  // A field read twice (once to map it, once to decide something from it) is still one error.
  private add(error: FieldError): void {
    if (!this.errors.some((e) => e.path === error.path && e.rule === error.rule)) this.errors.push(error);
  }

  get(path: string): unknown {
    let at: unknown = this.root;
    for (const part of path.split('/').slice(1)) {
      // Own properties only: a record carrying "__proto__" or "constructor" must not reach Object.prototype.
      if (at === null || typeof at !== 'object' || !Object.prototype.hasOwnProperty.call(at, part)) return undefined;
      at = (at as Record<string, unknown>)[part];
    }
    return at;
  }

  has(path: string): boolean {
    const v = this.get(path);
    return v !== undefined && v !== null && v !== '';
  }

  private present(path: string, opts: Options): unknown {
    const v = this.get(path);
    if (v === undefined || v === null || (typeof v === 'string' && v.trim() === '')) {
      if (opts.required) this.fail(path, 'required', 'is required');
      return undefined;
    }
    return v;
  }

  string(path: string, opts: Options = {}): string | undefined {
    const v = this.present(path, opts);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') return this.fail(path, 'type', 'must be a string');
    return v.trim();
  }

  boolean(path: string, opts: Options = {}): boolean | undefined {
    const v = this.present(path, opts);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') return this.fail(path, 'type', 'must be true or false');
    return v;
  }

  integer(path: string, opts: Options = {}): number | undefined {
    const v = this.present(path, opts);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) return this.fail(path, 'type', 'must be a whole number');
    return v;
  }

  array(path: string, opts: Options = {}): unknown[] {
    const v = this.present(path, opts);
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.fail(path, 'type', 'must be a list');
      return [];
    }
    return v;
  }

  object(path: string, opts: Options = {}): Record<string, unknown> | undefined {
    const v = this.present(path, opts);
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) return this.fail(path, 'type', 'must be an object');
    return v as Record<string, unknown>;
  }

  /** A code from the agency's own list, mapped to ours; an unknown code is an error naming the list. */
  code<T>(path: string, map: Record<string, T>, opts: Options = {}): T | undefined {
    const v = this.string(path, opts);
    if (v === undefined) return undefined;
    if (!Object.prototype.hasOwnProperty.call(map, v)) return this.fail(path, 'enum', `must be one of: ${Object.keys(map).join(', ')}`);
    return map[v];
  }

  /** A string that must also satisfy the canonical field it becomes; the error names the native field. */
  field(path: string, canonical: CanonicalField, opts: Options = {}): string | undefined {
    const v = this.string(path, opts);
    if (v === undefined) return undefined;
    return this.conforms(path, v, canonical);
  }

  conforms<T>(path: string, value: T, canonical: CanonicalField): T | undefined {
    const result = validateSchema<T>(CANONICAL[canonical], value, path);
    if (result.ok) return value;
    result.errors.forEach((e) => this.add(e));
    return undefined;
  }

  /**
   * The last gate: the assembled contact against the contract. Reading each native field against
   * its canonical rule should leave nothing here; anything that does is reported at the native
   * root with the canonical field named, rather than sent for the gateway to refuse.
   */
  finish(contact: Contact): Translation {
    if (this.errors.length > 0) return { ok: false, errors: this.errors };
    const checked = validateContact(contact);
    if (checked.ok) return { ok: true, contact: checked.value };
    return {
      ok: false,
      errors: checked.errors.map((e) => ({ path: '/', rule: e.rule, message: `becomes canonical ${e.path}, which ${e.message}` })),
    };
  }
}

/** Drops undefined fields so the contact serialises to exactly what was mapped. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Whole years between a date of birth and a day, for telling a child from an adult when a record does not say. */
export function ageOn(dateOfBirth: string, day: string): number {
  const [by, bm, bd] = dateOfBirth.slice(0, 10).split('-').map(Number);
  const [y, m, d] = day.slice(0, 10).split('-').map(Number);
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

type Household = NonNullable<Contact['household']>;

/**
 * The household as every adapter's native record gives it: an `address` object with up to five
 * `lines`, a `town` and a `postcode`, beside the relationships the adapter has already read.
 */
export function readHousehold(
  r: NativeReader,
  relationships: NonNullable<Household['relationships']>,
  at = '/address',
): Contact['household'] {
  let address: Household['address'];
  if (r.object(at)) {
    const lines = r.array(`${at}/lines`);
    if (lines.length > 5) r.fail(`${at}/lines`, 'maxItems', 'must have at most 5 lines');
    address = compact({
      lines: lines.length ? lines.map((_, i) => r.field(`${at}/lines/${i}`, 'addressLine', { required: true })!) : undefined,
      town: r.field(`${at}/town`, 'town'),
      postcode: r.field(`${at}/postcode`, 'postcode', { required: true })!,
    });
  }
  if (!address && relationships.length === 0) return undefined;
  return compact({ address, relationships: relationships.length ? relationships : undefined });
}
