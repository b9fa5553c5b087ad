import { buildOpenApi } from './openapi';
import { lintOpenApi } from './openapiLint';

type Doc = { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, any> } };

describe('the OpenAPI document, as integrators lint it', () => {
  it('passes Redocly recommended, with operationIds, summaries, 4xx responses and valid examples required, with no error and no warning', async () => {
    const findings = await lintOpenApi(buildOpenApi());
    expect(findings.map((f) => `${f.severity} ${f.rule} ${f.where}: ${f.message}`)).toEqual([]);
  }, 30000);

  it('the lint fails where a generator would: a missing operationId, an example that breaks its schema, an operation with no 4xx', async () => {
    const doc = buildOpenApi() as Doc;
    delete doc.paths['/v1/contacts/{contactId}'].get.operationId;
    doc.paths['/v1/agencies/{agency}/contacts'].post.requestBody.content['application/json'].examples.police.value = { narrative: 42 };
    doc.paths['/v1/ops/lag'].get.responses = { '200': doc.paths['/v1/ops/lag'].get.responses['200'] };
    const rules = (await lintOpenApi(doc))
      .filter((f) => f.severity === 'error')
      .map((f) => `${f.rule} ${f.where.split('/').slice(0, 4).join('/')}`);
    expect(rules).toEqual(
      expect.arrayContaining([
        'operation-operationId #/paths/~1v1~1contacts~1{contactId}/get',
        'no-invalid-media-type-examples #/paths/~1v1~1agencies~1{agency}~1contacts/post',
      ]),
    );
    expect((await lintOpenApi(doc)).map((f) => `${f.rule} ${f.where}`)).toContain(
      'operation-4xx-response #/paths/~1v1~1ops~1lag/get/responses',
    );
  }, 30000);

  it('names every operation, and every authenticated one answers 401 and 403 as problem documents', () => {
    const doc = buildOpenApi() as Doc;
    const ids: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        ids.push(op.operationId);
        expect(`${method} ${path} ${typeof op.operationId}`).toBe(`${method} ${path} string`);
        for (const [status, response] of Object.entries(op.responses as Record<string, any>)) {
          if (Number(status) >= 400)
            expect(`${path} ${status} ${Object.keys(response.content ?? {})}`).toBe(`${path} ${status} application/problem+json`);
          else if (status !== '204') {
            const schemas = Object.values(response.content ?? {}).map((c: any) => !!c.schema);
            expect(`${path} ${status} ${schemas.length > 0 && schemas.every(Boolean)}`).toBe(`${path} ${status} true`);
          }
        }
        // Authenticated: the document's default requirement, or one naming the bearer roles.
        if (op.security === undefined || op.security.some((s: Record<string, unknown>) => 'bearer' in s))
          expect(`${path} ${Object.keys(op.responses).filter((s) => s === '401' || s === '403')}`).toBe(`${path} 401,403`);
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});
