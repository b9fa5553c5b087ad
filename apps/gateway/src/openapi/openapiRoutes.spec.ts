import 'reflect-metadata';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod, Type } from '@nestjs/common';
import { HealthController } from '@mash/platform';
import { ACCESS_RULE, AccessRule } from '../access/roles.decorator';
import { GatewayModule } from '../app.module';
import { WorkspaceController } from '../workspace/workspace.controller';
import { buildOpenApi } from './openapi';

type Operation = { operationId: string; security?: Record<string, string[]>[] };
type Doc = { paths: Record<string, Record<string, Operation>>; security: Record<string, string[]>[] };

/**
 * Not in the document, on purpose: the workspace is the people's browser UI (HTML pages behind a
 * sign-in session cookie; README "Decisions we made"), not an API a client is generated for.
 */
const NOT_API: Type<unknown>[] = [WorkspaceController];

interface Route {
  method: string;
  path: string;
  rule?: AccessRule;
}

/** Every HTTP route the gateway's controllers serve, read from Nest's own routing metadata. */
function controllerRoutes(): Route[] {
  const controllers: Type<unknown>[] = [...(Reflect.getMetadata('controllers', GatewayModule) as Type<unknown>[]), HealthController];
  const routes: Route[] = [];
  for (const controller of controllers) {
    if (NOT_API.includes(controller)) continue;
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const sub = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      // Kafka handlers (@EventPattern) have no HTTP method.
      if (sub === undefined || method === undefined) continue;
      const path = `/${[base, sub]
        .map((p) => p.replace(/^\/+|\/+$/g, ''))
        .filter(Boolean)
        .join('/')}`.replace(/:[A-Za-z0-9_]+/g, '{}');
      const rule = (Reflect.getMetadata(ACCESS_RULE, handler) ?? Reflect.getMetadata(ACCESS_RULE, controller)) as AccessRule | undefined;
      routes.push({ method: RequestMethod[method].toLowerCase(), path, rule });
    }
  }
  return routes;
}

/** A path with its parameters unnamed: a controller's `:id` is the document's `{contactId}`. */
const shape = (path: string) => path.replace(/\{[^}]+\}/g, '{}');

describe('the OpenAPI document against the controllers', () => {
  const doc = buildOpenApi() as Doc;
  const routes = controllerRoutes();
  const operations = new Map(
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => [`${method} ${shape(path)}`, op] as const),
    ),
  );

  it('finds the routes (the metadata is read at all)', () => {
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(['post /v1/agencies/{}/contacts', 'post /v1/cases/{}/legal-hold', 'get /health/ready']),
    );
  });

  it('documents every route a controller serves, and no operation that none serves', () => {
    const served = routes.map((r) => `${r.method} ${r.path}`).sort();
    const documented: string[] = [...operations.keys()].sort();
    expect(served.filter((r) => !documented.includes(r))).toEqual([]);
    expect(documented.filter((d) => !served.includes(d))).toEqual([]);
  });

  it('names for each operation the roles the controller lets through, and no credential for a public one', () => {
    for (const r of routes) {
      if (!r.rule) continue;
      const op = operations.get(`${r.method} ${r.path}`);
      const security = op?.security ?? doc.security;
      const declared = 'public' in r.rule ? [] : [{ bearer: [...r.rule.roles].sort() }];
      const documented = security.map((s) => ('bearer' in s ? { bearer: [...s.bearer].sort() } : s));
      expect(`${r.method} ${r.path} ${JSON.stringify(documented)}`).toBe(`${r.method} ${r.path} ${JSON.stringify(declared)}`);
    }
  });
});
