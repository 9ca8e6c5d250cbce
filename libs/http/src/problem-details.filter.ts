import { Catch, HttpException, Logger } from '@nestjs/common';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import { currentCorrelationId } from '@revline/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ProblemDetails } from './problem';
import { problem, PROBLEM_CONTENT_TYPE } from './problem';
import { TooManyRequests } from './rate-limits';

/**
 * A domain error that carries its own HTTP status and, where it is about one field, that field; `extensions` are
 * members added to the problem (RFC 9457 §3.2), such as the version a conflict is about.
 */
export class DomainError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Array<{ field: string; problem: string }>,
    readonly extensions?: Readonly<Record<string, string | number | boolean | null>>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** The headers a problem's status asks for: how to authenticate (401), when to come back (429). */
export function setProblemHeaders(reply: FastifyReply, exception: unknown, status: number): void {
  if (status === 401) void reply.header('www-authenticate', 'Bearer');
  if (exception instanceof TooManyRequests)
    void reply.header('retry-after', String(exception.retryAfterSeconds));
}

function fromHttpException(exception: HttpException): ProblemDetails {
  const status = exception.getStatus();
  const response: unknown = exception.getResponse();
  if (typeof response === 'object' && response !== null) {
    const body = response as { message?: unknown; errors?: ProblemDetails['errors'] };
    if (body.errors) {
      const detail = typeof body.message === 'string' ? body.message : exception.message;
      return problem(status, detail, { errors: body.errors });
    }
    if (Array.isArray(body.message)) return problem(status, body.message.join('; '));
    if (typeof body.message === 'string') return problem(status, body.message);
  }
  return problem(status, exception.message);
}

/**
 * The one global fallback: every error becomes problem+json with the correlation id. Expected errors keep
 * their message; anything else is logged in full and answered as a 500 that shows no internals.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const body = this.toProblem(exception);
    body.instance = request.url.split('?')[0];
    body.correlationId =
      currentCorrelationId() ?? (request.headers['x-correlation-id'] as string | undefined);
    if (body.status >= 500) this.logger.error({ msg: 'request failed', err: exception, url: body.instance });
    setProblemHeaders(reply, exception, body.status);
    void reply.status(body.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
  }

  toProblem(exception: unknown): ProblemDetails {
    if (exception instanceof HttpException) return fromHttpException(exception);
    if (exception instanceof DomainError) {
      // A problem type of its own (a `type` extension, an absolute URI) replaces the status's.
      const type = exception.extensions?.type;
      return Object.assign(
        {},
        exception.extensions,
        problem(exception.status, exception.message, { errors: exception.errors }),
        typeof type === 'string' ? { type } : {},
      );
    }
    const status = (exception as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return problem(status, (exception as Error).message); // Fastify's own 4xx: body too large, bad JSON, media type
    }
    return problem(500, 'An unexpected error occurred. Quote the correlation id when you report it.');
  }
}
