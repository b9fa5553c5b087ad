import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Observable, throwError } from 'rxjs';
import { isProblem, Problem, problem, PROBLEM_MEDIA_TYPE } from '@mash/contracts';
import { log } from '@mash/messaging';

/**
 * Any HttpException as a problem document (RFC 9457, libs/contracts/src/problem.ts). Ours already
 * carry one; Nest's own (a 404 for an unknown route, 401/403 from a guard) carry
 * `{message, error, statusCode}`, and are rewritten so a client parses one format whatever service
 * or layer raised the error.
 */
export function problemOf(err: HttpException, instance: string): Problem {
  const status = err.getStatus();
  const body = err.getResponse();
  if (isProblem(body)) return { ...body, instance: body.instance ?? instance };
  if (typeof body === 'string') return problem(status, body, { instance });
  const { message, error: _error, statusCode: _statusCode, status: _status, ...rest } = body as Record<string, unknown>;
  const detail = Array.isArray(message)
    ? message.map(String).join('; ')
    : typeof message === 'string'
      ? message
      : problem(status, '').title;
  // Anything else the thrower said (the readiness checks of a 503) rides along as extension members.
  const extensions = Object.fromEntries(Object.entries(rest).filter(([k]) => !PROBLEM_MEMBERS.has(k)));
  return { ...extensions, ...problem(status, detail, { instance }) };
}

const PROBLEM_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'instance', 'errors', 'quarantineId']);

/** Writes a problem document on an Express response (opsHttp.sendProblem is the plain-Node twin). */
export function sendProblemDocument(res: Response, p: Problem): void {
  res.status(p.status).setHeader('content-type', `${PROBLEM_MEDIA_TYPE}; charset=utf-8`);
  res.send(JSON.stringify(p));
}

/** The path that met the problem, without the query (which may carry search terms) and bounded. */
export const instanceOf = (path: string) => path.slice(0, 200);

/**
 * Every service's HTTP errors as problem documents, set by runService; the gateway adds its own
 * filter over it, which also quarantines what an unexpected error interrupted.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(err: unknown, host: ArgumentsHost): Observable<never> | void {
    // Kafka handlers: the error goes back to the port as thrown (retry, or a dead letter).
    if (host.getType() !== 'http') return throwError(() => err);
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    if (err instanceof HttpException) return sendProblemDocument(res, problemOf(err, instanceOf(req.path)));
    log('error', 'unexpected error in request', {
      method: req.method,
      path: req.path.slice(0, 100),
      error: (err as Error)?.name ?? 'Error',
    });
    sendProblemDocument(res, problem(500, 'internal error; retry later', { instance: instanceOf(req.path) }));
  }
}
