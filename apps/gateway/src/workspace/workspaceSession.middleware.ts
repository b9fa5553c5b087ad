import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { WorkspaceSessions } from './sessions.repository';

export const SESSION_COOKIE = 'mash_ws';
export const LOGIN_COOKIE = 'mash_ws_login';

/**
 * What the pages may load: their own files and nothing inline, no frames, forms only to the
 * workspace itself. Chart data travels as JSON in a non-executable script element.
 */
export const WORKSPACE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

export type WorkspaceRequest = Request & { workspace?: { sessionId: string; csrf: string } };

/**
 * A workspace page's session becomes the signed-in person's access token on the request, so the
 * one AccessGuard checks it exactly as it checks the API's bearer tokens (signature, expiry, role)
 * and audits a refusal the same way. Only workspace routes are given this: the API never takes a
 * cookie, so no other site can make a browser act on the API.
 */
@Injectable()
export class WorkspaceSessionMiddleware implements NestMiddleware {
  constructor(private readonly sessions: WorkspaceSessions) {}

  async use(req: WorkspaceRequest, res: Response, next: NextFunction): Promise<void> {
    res.setHeader('Content-Security-Policy', WORKSPACE_CSP);
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    try {
      const id = readCookie(req, SESSION_COOKIE);
      const session = id ? await this.sessions.find(id) : undefined;
      if (id && session) {
        req.workspace = { sessionId: id, csrf: session.csrf };
        if (!req.headers.authorization) req.headers.authorization = `Bearer ${session.accessToken}`;
      }
      next();
    } catch (err) {
      next(err);
    }
  }
}
