import { Catch, HttpException } from '@nestjs/common';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

export type StripeErrorType =
  | 'api_error'
  | 'card_error'
  | 'idempotency_error'
  | 'invalid_request_error'
  | 'authentication_error'
  | 'temporary_session_expired';

export interface StripeErrorBody {
  type: StripeErrorType;
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  doc_url?: string;
}

/** An error answered the way Stripe answers: `{"error": {type, code, param, message}}` with Stripe's status. */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
    this.name = 'StripeApiError';
  }

  static missing(param: string): StripeApiError {
    return new StripeApiError(400, {
      type: 'invalid_request_error',
      code: 'parameter_missing',
      param,
      message: `Missing required param: ${param}.`,
    });
  }

  static invalid(param: string, message: string): StripeApiError {
    return new StripeApiError(400, {
      type: 'invalid_request_error',
      code: 'parameter_invalid',
      param,
      message,
    });
  }

  static unknownParam(param: string): StripeApiError {
    return new StripeApiError(400, {
      type: 'invalid_request_error',
      code: 'parameter_unknown',
      param,
      message: `Received unknown parameter: ${param}`,
    });
  }

  static noSuch(kind: string, id: string, param = 'id'): StripeApiError {
    return new StripeApiError(404, {
      type: 'invalid_request_error',
      code: 'resource_missing',
      param,
      message: `No such ${kind}: '${id}'`,
    });
  }

  /**
   * Stripe's answer past a rate limit: 429 with `code: rate_limit` and the `Stripe-Rate-Limited-Reason` header
   * naming the limiter (`global-rate`, `endpoint-rate`…). Stripe documents no Retry-After.
   */
  static rateLimited(reason: string): StripeApiError {
    return new StripeApiError(
      429,
      {
        type: 'invalid_request_error',
        code: 'rate_limit',
        doc_url: 'https://stripe.com/docs/error-codes/rate-limit',
        message:
          'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
      },
      { 'stripe-rate-limited-reason': reason },
    );
  }

  static state(message: string, param?: string): StripeApiError {
    return new StripeApiError(400, { type: 'invalid_request_error', message, ...(param ? { param } : {}) });
  }
}

/** Every sandbox error, including guards' and Nest's own, in Stripe's error shape. */
@Catch()
export class StripeErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body, headers } = toStripeError(exception);
    for (const [name, value] of Object.entries(headers)) void reply.header(name, value);
    void reply.status(status).header('content-type', 'application/json').send({ error: body });
  }
}

export function toStripeError(exception: unknown): {
  status: number;
  body: StripeErrorBody;
  headers: Record<string, string>;
} {
  if (exception instanceof StripeApiError) {
    const headers: Record<string, string> = {
      ...(exception.status === 402 ? { 'stripe-should-retry': 'false' } : {}),
      ...exception.headers,
    };
    return { status: exception.status, body: exception.body, headers };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return {
      status,
      body: { type: status >= 500 ? 'api_error' : 'invalid_request_error', message: exception.message },
      headers: {},
    };
  }
  const status = (exception as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return {
      status,
      body: { type: 'invalid_request_error', message: (exception as Error).message },
      headers: {},
    };
  }
  return {
    status: 500,
    body: { type: 'api_error', message: 'An unknown error occurred in the sandbox.' },
    headers: {},
  };
}
