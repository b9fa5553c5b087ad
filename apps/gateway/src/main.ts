import 'reflect-metadata';
import express, { NextFunction, Request, Response } from 'express';
import { runMain, runService } from '@mash/platform';
import { GatewayModule } from './app.module';
import { QuarantineService } from './quarantine/quarantine.service';
import { UnexpectedErrorFilter } from './quarantine/unexpectedError.filter';

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
      app.use(express.text({ type: () => true, limit: process.env.MASH_MAX_BODY ?? '1mb' }));
      app.use((err: { type?: string; status?: number }, req: Request, res: Response, next: NextFunction) => {
        if (!err?.type) return next(err);
        const status = err.type === 'entity.too.large' ? 413 : err.status ?? 400;
        const reason = status === 413 ? `body larger than ${process.env.MASH_MAX_BODY ?? '1mb'}` : `body could not be read (${err.type})`;
        void quarantine
          .keep({ sender: senderOf(req), channel: `http ${req.method} ${req.path.slice(0, 100)}`, status, reason, raw: `[${req.headers['content-length'] ?? '?'} bytes not kept]` })
          .then((quarantineId) => res.status(status).json({ status, error: reason, errors: [], quarantineId }))
          .catch(() => res.status(status).json({ status, error: reason, errors: [] }));
      });
    },
  });
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
