import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { FieldError } from '@mash/contracts';
import { pathToExpression } from './fhirStructure';

/** FHIR issue types for the rules a refusal names; anything else is a business-rule refusal. */
const ISSUE_CODE: Record<string, OperationOutcomeIssue['code']> = {
  'fhir-structure': 'structure',
  json: 'structure',
  maxDepth: 'too-costly',
  maxBodyBytes: 'too-costly',
  rateLimit: 'throttled',
  required: 'required',
  'consent-required': 'required',
  enum: 'code-invalid',
  event: 'not-supported',
  pattern: 'value',
  format: 'value',
  reference: 'not-found',
};

/**
 * A refused bundle answered as FHIR systems expect: an OperationOutcome with one issue per error,
 * each naming its location as a FHIRPath expression (Bundle.entry[1].resource.extension) beside
 * the hub's rule, so the sending system can point its user at the field.
 */
export function operationOutcome(status: number, error: string, errors: FieldError[]): { body: OperationOutcome; contentType: string } {
  const issue: OperationOutcomeIssue[] = errors.map((e) => ({
    severity: 'error',
    code: ISSUE_CODE[e.rule] ?? (e.rule.endsWith('-required') ? 'required' : 'business-rule'),
    details: { coding: [{ system: 'https://mash-hub.example.org/fhir/CodeSystem/refusal-rule', code: e.rule }], text: e.message },
    diagnostics: error,
    expression: [pathToExpression(e.path)],
  }));
  if (issue.length === 0) issue.push({ severity: 'error', code: status === 429 ? 'throttled' : 'processing', diagnostics: error });
  return { body: { resourceType: 'OperationOutcome', issue }, contentType: 'application/fhir+json; charset=utf-8' };
}
