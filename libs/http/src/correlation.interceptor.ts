import { Injectable } from '@nestjs/common';
import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { CORRELATION_HEADER, runWithCorrelation, withTraceContext } from '@revline/observability';
import { Observable } from 'rxjs';
import { requestTraceContext } from './request-tracing';

/**
 * Re-enters the request's correlation scope and trace context around the handler: Fastify's body parsing runs
 * outside the scope the onRequest hook opened, so services, logs and spans would otherwise lose it.
 */
@Injectable()
export class CorrelationInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
    const correlationId = request.headers[CORRELATION_HEADER];
    const traced = requestTraceContext(request);
    if (typeof correlationId !== 'string') {
      if (!traced) return next.handle();
      return new Observable((subscriber) =>
        withTraceContext(traced, () => next.handle().subscribe(subscriber)),
      );
    }
    return new Observable((subscriber) =>
      withTraceContext(traced, () =>
        runWithCorrelation({ correlationId }, () => next.handle().subscribe(subscriber)),
      ),
    );
  }
}
