import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Observable, throwError } from 'rxjs';
import { problem } from '@mash/contracts';
import { log } from '@mash/messaging';
import { instanceOf, problemOf, sendProblem } from '../problems/problemResponse';
import { QuarantineService } from './quarantine.service';

/**
 * A bug must not cost an agency its submission: whatever was sent when an unexpected error
 * happened is quarantined with the error before the 500 goes back, so ops can replay it. Every
 * error leaves as an RFC 9457 problem document, Nest's own included.
 */
@Catch()
export class UnexpectedErrorFilter implements ExceptionFilter {
  constructor(private readonly quarantine: QuarantineService) {}

  catch(err: unknown, host: ArgumentsHost): Observable<never> | Promise<void> {
    // Global filters reach Kafka handlers too (inheritAppConfig). There the error must go back to
    // the port as thrown, so a RejectedMessage is parked with its reason and an outage retried;
    // reading an HTTP request off a Kafka context would turn both into a TypeError.
    if (host.getType() !== 'http') return throwError(() => err);
    return this.catchHttp(err, host);
  }

  private async catchHttp(err: unknown, host: ArgumentsHost): Promise<void> {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    if (err instanceof HttpException) return sendProblem(res, problemOf(err, instanceOf(req.path)));
    const name = (err as Error)?.name ?? 'Error';
    log('error', 'unexpected error in request', { method: req.method, path: req.path.slice(0, 100), error: name });
    let quarantineId: number | undefined;
    try {
      const raw = typeof req.body === 'string' ? req.body : req.body === undefined ? '' : JSON.stringify(req.body);
      if (req.method !== 'GET')
        quarantineId = await this.quarantine.keep({
          sender: 'unknown',
          channel: `http ${req.method} ${req.path.slice(0, 100)}`,
          status: 500,
          reason: `internal error: ${name}`,
          raw,
        });
    } catch {
      // The database is away too: the sender's retry is now the only copy, and the 500 says so.
    }
    sendProblem(
      res,
      problem(500, 'internal error: the submission was not accepted; retry later', { quarantineId, instance: instanceOf(req.path) }),
    );
  }
}
