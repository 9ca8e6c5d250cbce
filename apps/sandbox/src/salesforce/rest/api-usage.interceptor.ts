import { Injectable } from '@nestjs/common';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { from, switchMap } from 'rxjs';
import type { Observable } from 'rxjs';
import { SalesforceApiError } from '../org/errors';
import { FaultSwitches } from '../faults';

/** The resource a REST call is counted under: `composite/sobjects` for collections, else the path's first part. */
export function resourceOf(url: string): string {
  const path = /^\/services\/data\/v[\d.]+\/([^?]*)/.exec(url)?.[1] ?? '';
  const [first = 'other', second] = path.split('/');
  return first === 'composite' && second === 'sobjects' ? 'composite/sobjects' : first || 'other';
}

/**
 * Counts each REST call against the org's allocation over a rolling 24 hours and reports it in `Sforce-Limit-Info`; refuses calls over
 * the limit (403 REQUEST_LIMIT_EXCEEDED); applies the latency and error-rate fault switches; counts calls in flight.
 */
@Injectable()
export class ApiUsageInterceptor implements NestInterceptor {
  constructor(private readonly faults: FaultSwitches) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const { url } = context.switchToHttp().getRequest<{ url: string }>();
    const { apiLimit, latencyMs, errorRate } = this.faults.settings;
    const used = this.faults.countCall(resourceOf(url));
    void reply.header('sforce-limit-info', `api-usage=${String(used)}/${String(apiLimit)}`);
    if (used > apiLimit) {
      this.faults.refused += 1;
      throw SalesforceApiError.of(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    }
    const failing = this.faults.roll(errorRate);
    this.faults.inFlight += 1;
    this.faults.maxInFlight = Math.max(this.faults.maxInFlight, this.faults.inFlight);
    // Counted out once the answer is handed to the socket, so a client's next call never overlaps this one.
    reply.raw.once('finish', () => {
      this.faults.inFlight -= 1;
    });
    return from(latencyMs > 0 ? sleep(latencyMs) : Promise.resolve()).pipe(
      switchMap(() => {
        if (failing) {
          throw SalesforceApiError.of(
            503,
            'SERVER_UNAVAILABLE',
            'Server temporarily unavailable, please retry.',
          );
        }
        return next.handle();
      }),
    );
  }
}
