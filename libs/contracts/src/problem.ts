import { FieldError } from './validation';

/**
 * The one error format of the hub's HTTP API: RFC 9457 problem details, sent as
 * `application/problem+json`. The hub's own members ride along as extensions: `errors` (every broken
 * rule with its JSON pointer and rule name, never only the first) and `quarantineId` (where ops find
 * the refused input). Clients switch on `type`; `detail` is the sentence for people.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors: FieldError[];
  quarantineId?: number;
}

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/**
 * One problem type per way the hub says no. Relative references: the gateway serves each at
 * `/problems/<slug>`, so a client (or a person) can dereference the type it was given.
 */
export const PROBLEM_TYPES = {
  400: {
    slug: 'unreadable-body',
    title: 'The body could not be read',
    about: 'The body is empty, not JSON, or could not be read as sent. Nothing was created; fix the body and send it again.',
  },
  401: {
    slug: 'unauthenticated',
    title: 'A valid credential is required',
    about: 'Send the bearer token issued to your adapter, decision maker or ops principal.',
  },
  403: {
    slug: 'forbidden',
    title: 'Not allowed for this credential',
    about: 'The credential is valid but its role or agency may not do this (an adapter submits only as its own agency).',
  },
  404: {
    slug: 'not-found',
    title: 'Not found',
    about: 'No such agency, contact, case or route; a contact sent by another agency is answered as not found too.',
  },
  409: {
    slug: 'conflict',
    title: 'Not possible in the current state',
    about: 'The case is already decided, or its checks are not complete and no urgent override was recorded.',
  },
  413: {
    slug: 'body-too-large',
    title: 'The body is too large',
    about: 'The body is over the size limit (MASH_MAX_BODY) and was not read.',
  },
  422: {
    slug: 'invalid-fields',
    title: 'The input breaks the contract',
    about: 'Every broken rule is listed in `errors` with its JSON pointer (`path`) and rule name (`rule`); fix them all and send again.',
  },
  429: {
    slug: 'too-many-requests',
    title: 'Too many requests',
    about: 'The sender is over its rate limit; retry after the number of seconds in Retry-After.',
  },
  500: {
    slug: 'internal-error',
    title: 'Internal error',
    about: 'The hub failed; the submission was not accepted (it is kept in quarantine when the database answered). Retry later.',
  },
  503: { slug: 'unavailable', title: 'Service unavailable', about: 'A dependency does not answer; retry later.' },
} as const;

export type ProblemStatus = keyof typeof PROBLEM_TYPES;

export const problemTypeUri = (slug: string) => `/problems/${slug}`;

function typeFor(status: number): { slug: string; title: string } {
  const known = PROBLEM_TYPES[status as ProblemStatus];
  if (known) return known;
  // An HTTP status we have no type of our own for: RFC 9457's about:blank, titled by the status.
  return { slug: '', title: `HTTP ${status}` };
}

/** A problem for an HTTP status, with the reason in words and any field errors. */
export function problem(
  status: number,
  detail: string,
  extra: { errors?: FieldError[]; quarantineId?: number; instance?: string } = {},
): Problem {
  const t = typeFor(status);
  return {
    type: t.slug ? problemTypeUri(t.slug) : 'about:blank',
    title: t.title,
    status,
    detail,
    ...(extra.instance ? { instance: extra.instance } : {}),
    errors: extra.errors ?? [],
    ...(extra.quarantineId !== undefined ? { quarantineId: extra.quarantineId } : {}),
  };
}

export function isProblem(value: unknown): value is Problem {
  const v = value as Partial<Problem> | null;
  return (
    !!v &&
    typeof v === 'object' &&
    typeof v.type === 'string' &&
    typeof v.status === 'number' &&
    typeof v.detail === 'string' &&
    Array.isArray(v.errors)
  );
}

/** The problem document as an OpenAPI 3.1 component (FieldError is its sibling component). */
export const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details (application/problem+json) with the field errors inside.',
  required: ['type', 'title', 'status', 'detail', 'errors'],
  properties: {
    type: {
      type: 'string',
      format: 'uri-reference',
      description: 'What kind of problem; dereference it under the gateway for an explanation (about:blank for a bare HTTP status).',
    },
    title: { type: 'string', description: 'Short summary of the problem type; the same for every occurrence of the type.' },
    status: { type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status code.' },
    detail: { type: 'string', description: 'Why, in a sentence, for this occurrence.' },
    instance: { type: 'string', format: 'uri-reference', description: 'The request path that met the problem.' },
    errors: {
      type: 'array',
      description: 'Every broken rule, not only the first (empty when the problem is not about fields).',
      items: { $ref: '#/components/schemas/FieldError' },
    },
    quarantineId: { type: 'integer', description: 'Where the refused input is kept for ops (GET /v1/ops/quarantine/{id}).' },
  },
} as const;
