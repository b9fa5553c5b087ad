import 'reflect-metadata';
import express, { NextFunction, Request, Response } from 'express';
import { problem } from '@mash/contracts';
import { runMain, runService } from '@mash/platform';
import { GatewayModule } from './app.module';
import { QuarantineService } from './quarantine/quarantine.service';
import { UnexpectedErrorFilter } from './quarantine/unexpectedError.filter';
import { instanceOf, sendProblem } from './problems/problemResponse';
import { SESSION_COOKIE } from './workspace/workspaceSession.middleware';

/** The gateway: the only service agencies reach over HTTP. */
async function startGateway(port = Number(process.env.GATEWAY_PORT ?? 8080)) {
  return runService(GatewayModule, {
    name: 'gateway',
    schema: 'gateway',
    port,
    host: process.env.GATEWAY_HOST ?? '127.0.0.1',
    configure: (app) => {
      const quarantine = app.get(QuarantineService);
      app.useGlobalFilters(new UnexpectedErrorFilter(quarantine));
      // Bodies stay text until we parse them, so broken JSON is quarantined exactly as it came.
      // A request with no credential is never read: AccessGuard refuses it (every route that
      // takes a body is guarded) before a byte of its body is buffered (docs/trust-boundary.md).
      app.use(express.text({ type: carriesCredential, limit: process.env.MASH_MAX_BODY ?? '1mb' }));
      app.use((err: { type?: string; status?: number }, req: Request, res: Response, next: NextFunction) => {
        if (!err?.type) return next(err);
        const status = err.type === 'entity.too.large' ? 413 : (err.status ?? 400);
        const reason = status === 413 ? `body larger than ${process.env.MASH_MAX_BODY ?? '1mb'}` : `body could not be read (${err.type})`;
        void quarantine
          .keep({
            sender: senderOf(req),
            channel: `http ${req.method} ${req.path.slice(0, 100)}`,
            status,
            reason,
            raw: `[${req.headers['content-length'] ?? '?'} bytes not kept]`,
          })
          .then((quarantineId) => sendProblem(res, problem(status, reason, { quarantineId, instance: instanceOf(req.path) })))
          .catch(() => sendProblem(res, problem(status, reason, { instance: instanceOf(req.path) })));
      });
    },
  });
}

/**
 * The three credentials a body can come with: a bearer token (machines, and people through the
 * API); the workspace's session cookie on its own forms (the middleware turns it into the person's
 * token; docs/trust-boundary.md); and a neighbouring hub's transfer, whose credential is the JWS
 * signature inside the body itself (docs/hub-to-hub.md), checked before anything is kept.
 */
function carriesCredential(req: { headers: Record<string, string | string[] | undefined>; url?: string }): boolean {
  if (/^Bearer \S/.test(String(req.headers.authorization ?? ''))) return true;
  const path = (req.url ?? '').split('?')[0];
  if (/^\/v1\/hubs\/[^/]+\/transfers$/.test(path)) return true;
  return path.startsWith('/workspace/') && new RegExp(`(^|;\\s*)${SESSION_COOKIE}=`).test(String(req.headers.cookie ?? ''));
}

/**
 * Who sent a body that was never read: the agency its path claims, unverified (the credential is
 * checked only once a body is read), so ops can still tell a flooding adapter from a stranger.
 */
function senderOf(req: Request): string {
  const agency = /^\/v1\/agencies\/([a-z0-9-]{1,40})\//.exec(req.path)?.[1];
  return agency ? `unverified:${agency}` : 'unread';
}

runMain('gateway', () => startGateway());
