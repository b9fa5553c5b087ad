import 'reflect-metadata';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { GatewayModule } from '../app.module';
import { AccessGuard } from './access.guard';
import { ACCESS_RULE, AccessRule } from './roles.decorator';

type Ctor = new (...args: never[]) => object;

/** Every HTTP route of the gateway, read from Nest's own metadata, with the rule it declares. */
function routes(): { route: string; guarded: boolean; rule?: AccessRule }[] {
  const controllers: Ctor[] = Reflect.getMetadata('controllers', GatewayModule) ?? [];
  const out: { route: string; guarded: boolean; rule?: AccessRule }[] = [];
  for (const c of controllers) {
    const base = String(Reflect.getMetadata(PATH_METADATA, c) ?? '');
    const guards: unknown[] = Reflect.getMetadata(GUARDS_METADATA, c) ?? [];
    for (const name of Object.getOwnPropertyNames(c.prototype)) {
      const fn = (c.prototype as Record<string, unknown>)[name];
      if (typeof fn !== 'function' || name === 'constructor') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod | undefined;
      if (method === undefined) continue;
      const path = String(Reflect.getMetadata(PATH_METADATA, fn) ?? '');
      out.push({
        route: `${RequestMethod[method]} /${[base, path].filter((p) => p && p !== '/').join('/')}`,
        guarded: [...guards, ...((Reflect.getMetadata(GUARDS_METADATA, fn) as unknown[]) ?? [])].includes(AccessGuard),
        rule: (Reflect.getMetadata(ACCESS_RULE, fn) ?? Reflect.getMetadata(ACCESS_RULE, c)) as AccessRule | undefined,
      });
    }
  }
  return out;
}

describe('the gateway guards every route with one rule', () => {
  it('finds the routes (so the checks below look at something)', () => {
    expect(routes().map((r) => r.route)).toEqual(
      expect.arrayContaining([
        'POST /v1/agencies/:agency/contacts',
        'GET /v1/contacts/:id',
        'GET /v1/cases/:id',
        'POST /v1/cases/:caseId/decision',
        'GET /v1/board',
        'GET /v1/ops/lag',
      ]),
    );
  });

  it('runs AccessGuard on every route, and every route declares who may call it', () => {
    const missing = routes()
      .filter((r) => !r.guarded || !r.rule)
      .map((r) => r.route);
    expect(missing).toEqual([]);
  });

  it('leaves open only what holds no data or carries its own credential, each named here', () => {
    const open = routes()
      .filter((r) => r.rule && 'public' in r.rule)
      .map((r) => r.route)
      .sort();
    expect(open).toEqual([
      'GET /asyncapi.json',
      'GET /board',
      'GET /openapi.json',
      'GET /problems/:slug',
      // The workspace's static files and its sign-in steps (the OIDC redirect, the callback that
      // checks state and PKCE, sign-out of a session the cookie names): no case data.
      'GET /workspace/assets/chart.umd.js',
      'GET /workspace/assets/countdown.js',
      'GET /workspace/assets/indicators.js',
      'GET /workspace/assets/workspace.css',
      'GET /workspace/callback',
      'GET /workspace/login',
      // A neighbouring hub's transfer: its credential is the JWS signature in the body, verified
      // against the key the locality policy lists (docs/hub-to-hub.md).
      'POST /v1/hubs/:hubId/transfers',
      'POST /workspace/logout',
    ]);
  });

  it('gives the board role the board data and nothing else', () => {
    const board = routes()
      .filter((r) => r.rule && 'roles' in r.rule && r.rule.roles.includes('board'))
      .map((r) => r.route);
    expect(board).toEqual(['GET /v1/board']);
  });
});
