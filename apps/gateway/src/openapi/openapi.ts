import { commonSchema, contactSchema, eventSchemas } from '@mash/contracts';

/** Rewrites our ajv $refs into OpenAPI component refs, so the served document is self-contained. */
function toComponents(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toComponents);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$id') continue;
    if (k === '$ref' && typeof v === 'string') {
      out.$ref = v.startsWith('common#/definitions/') || v.startsWith('#/definitions/')
        ? `#/components/schemas/${v.split('/').pop()}`
        : `#/components/schemas/${v === 'contact' ? 'Contact' : v}`;
      continue;
    }
    out[k] = toComponents(v);
  }
  return out;
}

const fieldErrors = {
  type: 'object',
  properties: {
    status: { type: 'integer' },
    error: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, rule: { type: 'string' }, message: { type: 'string' } } } },
    quarantineId: { type: 'integer', description: 'Where the rejected input is kept for ops.' },
  },
};

const rejection = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Rejection' } } } });

/** The gateway's OpenAPI 3.1 document, generated from the same schemas that validate requests. */
export function buildOpenApi(): object {
  const decisionInput = toComponents(eventSchemas.decisionRecorded) as { required: string[]; properties: Record<string, unknown> };
  const serverSet = new Set(['decisionId', 'caseId', 'decidedAt', 'contactId', 'policyVersion']);
  const decisionRequest = {
    ...decisionInput,
    required: decisionInput.required.filter((r) => !serverSet.has(r)),
    properties: Object.fromEntries(Object.entries(decisionInput.properties).filter(([k]) => !serverSet.has(k))),
  };
  return {
    openapi: '3.1.0',
    info: { title: 'MASH integration hub gateway', version: '1.0.0', description: 'One front door for safeguarding contacts from agency adapters, decisions from decision makers, status for referrers and ops.' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'One credential per adapter (its agency), decision maker or ops principal.' } },
      schemas: {
        ...Object.fromEntries(Object.entries(commonSchema.definitions).map(([k, v]) => [k, toComponents(v)])),
        Contact: toComponents(contactSchema),
        DecisionRequest: decisionRequest,
        Rejection: fieldErrors,
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/v1/agencies/{agency}/contacts': {
        post: {
          summary: 'Submit a contact as the adapter of an agency',
          parameters: [{ name: 'agency', in: 'path', required: true, schema: { type: 'string', enum: ['police', 'health', 'education', 'contact-centre'] } }],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Contact' } } } },
          responses: {
            '202': { description: 'Accepted: contact id, received time, what happens next and the timescales.' },
            '200': { description: 'This agency reference was received before: the same contact, nothing new created.' },
            '400': rejection('Body is not JSON.'),
            '401': rejection('No valid adapter credential.'),
            '403': rejection('The credential belongs to another agency.'),
            '404': rejection('Unknown agency.'),
            '413': rejection('Body too large.'),
            '422': rejection('Every field that breaks a rule, with its path and the rule.'),
            '429': rejection('Too many submissions; retry after the Retry-After header.'),
          },
        },
      },
      '/v1/contacts/{contactId}': { get: { summary: 'Status of a contact, for the agency that sent it', parameters: [{ name: 'contactId', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'Stage, rating, deadline, decision and notice status.' }, '404': { description: 'Unknown, or sent by another agency.' } } } },
      '/v1/cases/{caseId}': { get: { summary: 'The full picture of a case, for a decision maker (audited)', parameters: [{ name: 'caseId', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'Rating, replies, missing agencies, chronology.' } } } },
      '/v1/cases/{caseId}/decision': {
        post: {
          summary: 'Record the decision on a case',
          parameters: [{ name: 'caseId', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/DecisionRequest' } } } },
          responses: { '201': { description: 'Recorded; outcome notices follow.' }, '409': rejection('Checks not complete (and no urgent override), or already decided.'), '422': rejection('Field errors.') },
        },
      },
      '/v1/ops/quarantine': { get: { summary: 'Rejected inputs with reasons (ops)', responses: { '200': { description: 'Newest first.' } } } },
      '/health/live': { get: { security: [], responses: { '200': { description: 'Process is up.' } } } },
      '/health/ready': { get: { security: [], responses: { '200': { description: 'Postgres and Kafka answer.' }, '503': { description: 'Not ready.' } } } },
      '/metrics': { get: { security: [], responses: { '200': { description: 'Prometheus metrics.' } } } },
    },
  };
}
