import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';

/**
 * Hands a handler's error to the Kafka port as thrown. Nest's default RPC filter turns every error
 * into {message: 'Internal server error'}, and the port then could not tell a RejectedMessage (park
 * now, with its reason), NotReadyYet (wait longer) or a database outage (retry, never park) from a
 * bug (bounded retries). Installed on every service's transport by runService.
 */
@Catch()
export class RethrowToPort implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
