import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contactSchema, describeErrors, FieldError, PresentingIssue } from '@mash/contracts';
import { repoRoot } from './repoRoot';

/**
 * Clinical and agency codes to the hub's canonical presenting issues, as reviewed data
 * (policies/codes/*.json), so a concern is rated the same whether a GP coded it in SNOMED CT, the
 * police filed it under a category or a school ticked a box. Loaded and checked at start-up: a
 * broken mapping file stops the service rather than quietly rating children differently.
 */
export interface CodeSystemDef {
  uri: string;
  name: string;
  /** `words`: matched on lower-case words, punctuation aside (schools type their own labels). */
  match: 'exact' | 'words';
}

export interface CodeMapping {
  system: string;
  code: string;
  display?: string;
  /** Canonical presenting-issue codes this code counts as. */
  issues: string[];
  /** Where the concept id and the reading come from. */
  source: string;
}

export interface CodeMapFile {
  version: string;
  description: string;
  systems: Record<string, CodeSystemDef>;
  notShipped?: string[];
  mappings: CodeMapping[];
}

export const DEFAULT_CODE_MAP = 'policies/codes/safeguarding-codes.json';

type ContactSchemaIssues = { properties: { presentingIssues: { items: { properties: { code: { enum: string[] } } } } } };
const ISSUE_CODES: readonly string[] = (contactSchema as unknown as ContactSchemaIssues).properties.presentingIssues.items.properties.code
  .enum;

const codeMapSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'description', 'systems', 'mappings'],
  properties: {
    version: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}\\.\\d+$' },
    description: { type: 'string', minLength: 1 },
    notShipped: { type: 'array', items: { type: 'string', minLength: 1 } },
    systems: {
      type: 'object',
      minProperties: 1,
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['uri', 'name', 'match'],
        properties: {
          uri: { type: 'string', pattern: '^https?://' },
          name: { type: 'string', minLength: 1 },
          match: { enum: ['exact', 'words'] },
        },
      },
    },
    mappings: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['system', 'code', 'issues', 'source'],
        properties: {
          system: { type: 'string', minLength: 1 },
          code: { type: 'string', minLength: 1, maxLength: 100 },
          display: { type: 'string', minLength: 1, maxLength: 200 },
          issues: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: ISSUE_CODES } },
          source: { type: 'string', minLength: 20 },
        },
      },
    },
  },
} as const;

export class CodeMapError extends Error {
  constructor(
    readonly source: string,
    readonly errors: FieldError[],
  ) {
    super(`invalid code map ${source}: ${errors.map((e) => `${e.path} ${e.message} (rule: ${e.rule})`).join('; ')}`);
    this.name = 'CodeMapError';
  }
}

/** SNOMED CT identifiers end in a Verhoeff check digit: a mistyped concept id is caught here, not in a child's rating. */
export function verhoeffValid(id: string): boolean {
  if (!/^\d{6,18}$/.test(id)) return false;
  const d = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
  ];
  const p = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
  ];
  let c = 0;
  [...id].reverse().forEach((ch, i) => (c = d[c][p[i % 8][Number(ch)]]));
  return c === 0;
}

const SNOMED = 'http://snomed.info/sct';
const words = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();

/** What the map says about one coded concern. */
export type CodeReading = { mapped: true; row: CodeMapping; issues: string[] } | { mapped: false };

export class CodeMap {
  private readonly rows = new Map<string, CodeMapping>();
  private readonly keyByUri = new Map<string, string>();

  constructor(readonly file: CodeMapFile) {
    for (const [key, def] of Object.entries(file.systems)) this.keyByUri.set(def.uri, key);
    for (const row of file.mappings) this.rows.set(this.rowKey(row.system, row.code), row);
  }

  get version(): string {
    return this.file.version;
  }

  /** The system's short name for a URI or a short name, if the map knows it. */
  systemKey(system: string): string | undefined {
    return this.file.systems[system] ? system : this.keyByUri.get(system);
  }

  systemUri(key: string): string {
    const def = this.file.systems[key];
    if (!def) throw new Error(`code map ${this.version} has no system '${key}'`);
    return def.uri;
  }

  read(system: string, code: string): CodeReading {
    const key = this.systemKey(system);
    const row = key === undefined ? undefined : this.rows.get(this.rowKey(key, code));
    return row ? { mapped: true, row, issues: row.issues } : { mapped: false };
  }

  /** One system's rows as code -> issues, for an adapter that files a native label under its codes. */
  table(system: string): Record<string, string[]> {
    const key = this.systemKey(system);
    return Object.fromEntries(this.file.mappings.filter((r) => r.system === key).map((r) => [r.code, r.issues]));
  }

  /**
   * The canonical codes a presenting issue counts as: its own code, plus what its coding maps to.
   * A coding the map does not know adds nothing and is reported as unmapped, so the decision maker
   * reads it rather than the rules silently counting it as nothing.
   */
  issueCodes(issue: PresentingIssue): { codes: string[]; unmapped?: NonNullable<PresentingIssue['coding']> } {
    if (!issue.coding) return { codes: [issue.code] };
    const reading = this.read(issue.coding.system, issue.coding.code);
    if (!reading.mapped) return { codes: [issue.code], unmapped: issue.coding };
    // 20 (other) was only the sender's placeholder for a code the hub now reads.
    const codes = new Set([issue.code, ...reading.issues]);
    if (!reading.issues.includes('20')) codes.delete('20');
    return { codes: [...codes] };
  }

  private rowKey(system: string, code: string): string {
    return `${system}|${this.file.systems[system]?.match === 'words' ? words(code) : code}`;
  }
}

let validate: ReturnType<Ajv['compile']> | undefined;

/** Checks a parsed mapping file: schema, known systems, one row per code, SNOMED check digits. */
export function parseCodeMap(raw: unknown, source = 'code map'): CodeMap {
  if (!validate) validate = new Ajv({ allErrors: true, strict: true }).compile(codeMapSchema);
  if (!validate(raw)) throw new CodeMapError(source, describeErrors(validate.errors ?? []));
  const file = raw as CodeMapFile;
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  file.mappings.forEach((row, i) => {
    const def = file.systems[row.system];
    if (!def)
      return void errors.push({ path: `/mappings/${i}/system`, rule: 'known-system', message: `'${row.system}' is not in /systems` });
    const key = `${row.system}|${def.match === 'words' ? words(row.code) : row.code}`;
    if (seen.has(key))
      errors.push({
        path: `/mappings/${i}/code`,
        rule: 'unique-code',
        message: `'${row.code}' is already mapped at /mappings/${seen.get(key)}`,
      });
    seen.set(key, i);
    if (def.uri === SNOMED && !verhoeffValid(row.code)) {
      errors.push({
        path: `/mappings/${i}/code`,
        rule: 'snomed-check-digit',
        message: `'${row.code}' is not a SNOMED CT identifier (Verhoeff check digit)`,
      });
    }
    if (def.uri === SNOMED && !row.display)
      errors.push({ path: `/mappings/${i}/display`, rule: 'required', message: 'a SNOMED CT row names its concept' });
  });
  if (errors.length) throw new CodeMapError(source, errors);
  return new CodeMap(file);
}

const loaded = new Map<string, CodeMap>();

/** The shipped mapping (or MASH_CODE_MAP), read and checked once per process. */
export function loadCodeMap(path = process.env.MASH_CODE_MAP ?? join(repoRoot(), DEFAULT_CODE_MAP)): CodeMap {
  let map = loaded.get(path);
  if (!map) {
    map = parseCodeMap(JSON.parse(readFileSync(path, 'utf8')), path);
    loaded.set(path, map);
  }
  return map;
}
