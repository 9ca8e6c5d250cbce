import { Injectable } from '@nestjs/common';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { CORRELATION_HEADER, runWithCorrelation } from '@revline/observability';
import { Observable } from 'rxjs';

/**
 * Re-enters the request's correlation scope around the handler: Fastify's body parsing runs outside the scope
 * the onRequest hook opened, so services and logs would otherwise lose it.
 */
@Injectable()
export class CorrelationInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
    const correlationId = request.headers[CORRELATION_HEADER];
    if (typeof correlationId !== 'string') return next.handle();
    return new Observable((subscriber) =>
      runWithCorrelation({ correlationId }, () => next.handle().subscribe(subscriber)),
    );
  }
}
