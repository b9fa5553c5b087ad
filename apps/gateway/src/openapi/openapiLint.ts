import { createConfig, lintFromString } from '@redocly/openapi-core';

export interface LintFinding {
  severity: 'error' | 'warn';
  rule: string;
  message: string;
  where: string;
}

/**
 * The document as an integrator's tooling sees it: Redocly's `recommended` ruleset (the engine of
 * Redocly CLI), plus the rules a client generator relies on, raised to errors: an operationId on
 * every operation, and 4xx responses declared (an error for every operation but those below).
 */
/** Operations that cannot answer a client error: no input, no credential. */
const NO_CLIENT_ERROR = new Set(['getBoardPage', 'getOpenApi', 'getAsyncApi', 'getLiveness', 'getReadiness', 'getMetrics']);

export async function lintOpenApi(doc: object): Promise<LintFinding[]> {
  const config = await createConfig({
    extends: ['recommended'],
    rules: {
      'operation-operationId': 'error',
      'operation-4xx-response': 'warn',
      'operation-summary': 'error',
      'no-invalid-media-type-examples': 'error',
      'no-invalid-schema-examples': 'error',
    },
  });
  const found = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'openapi.json', config });
  const operationAt = (pointer: string) => {
    const [, path, method] = /^#\/paths\/([^/]+)\/([a-z]+)\//.exec(pointer) ?? [];
    const paths = (doc as { paths: Record<string, Record<string, { operationId?: string }>> }).paths;
    return path ? paths[path.replace(/~1/g, '/').replace(/~0/g, '~')]?.[method]?.operationId : undefined;
  };
  return found
    .filter((p) => p.severity === 'error' || p.severity === 'warn')
    .filter((p) => !(p.ruleId === 'operation-4xx-response' && NO_CLIENT_ERROR.has(operationAt(p.location?.[0]?.pointer ?? '') ?? '')))
    .map((p) => ({ severity: p.severity as 'error' | 'warn', rule: p.ruleId, message: p.message, where: p.location?.[0]?.pointer ?? '' }));
}
