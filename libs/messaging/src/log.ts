import pino from 'pino';
import { logCorrelation } from './tracing';

/**
 * Structured JSON logs, one object a line, through pino. Callers pass ids and counts only: never
 * names, dates of birth, narratives or any other case content (docs/architecture.md: no personal
 * data in logs). As a second line of defence the fields below are redacted wherever a caller puts
 * them (at the top level or one level down). Each line carries the trace and span ids of the active
 * span and, while an HTTP request is served, its request id.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';

/** Field names that could carry personal data or secrets in this domain. */
export const REDACTED_FIELDS = [
  'name',
  'givenName',
  'familyName',
  'firstName',
  'lastName',
  'fullName',
  'displayName',
  'dateOfBirth',
  'dob',
  'birthDate',
  'nhsNumber',
  'upn',
  'pncId',
  'address',
  'postcode',
  'email',
  'phone',
  'telephone',
  'narrative',
  'summary',
  'description',
  'notes',
  'concern',
  'text',
  'subject',
  'subjects',
  'children',
  'adults',
  'household',
  'people',
  'person',
  'body',
  'raw',
  'rawValue',
  'submission',
  'contact',
  'record',
  'authorization',
  'token',
  'password',
  'secret',
  'cookie',
];

let service = process.env.MASH_SERVICE ?? 'mash';

export function setLogService(name: string): void {
  service = name;
}

/** Warnings and errors to stderr, the rest to stdout, as before; writes are synchronous so a crash loses no line. */
const streams = pino.multistream(
  [
    { level: 'debug', stream: pino.destination({ dest: 1, sync: true }) },
    { level: 'warn', stream: pino.destination({ dest: 2, sync: true }) },
  ],
  { dedupe: true },
);

/** The logger over any destination (a test passes its own). */
export function makeLogger(destination: pino.DestinationStream): pino.Logger {
  return pino(
    {
      level: process.env.LOG_LEVEL ?? 'info',
      base: undefined,
      messageKey: 'msg',
      timestamp: () => `,"t":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => ({ service, ...logCorrelation() }),
      redact: { paths: [...REDACTED_FIELDS, ...REDACTED_FIELDS.map((f) => `*.${f}`)], censor: '[redacted]' },
    },
    destination,
  );
}

export const logger = makeLogger(streams);

export function log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  logger[level](fields, msg);
}
