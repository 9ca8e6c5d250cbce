import { Catch, HttpException, Logger } from '@nestjs/common';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { randomBytes } from 'node:crypto';
import { SalesforceApiError } from '../org/errors';
import type { SalesforceErrorItem } from '../org/errors';

const CODES: Record<number, string> = {
  400: 'JSON_PARSER_ERROR',
  401: 'INVALID_SESSION_ID',
  403: 'INSUFFICIENT_ACCESS',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** Answers every error of the sandbox's Salesforce API as Salesforce does: a status and `[{errorCode, message}]`. */
@Catch()
export class SalesforceErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('SalesforceSandbox');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let status = 500;
    let errors: SalesforceErrorItem[];
    if (exception instanceof SalesforceApiError) {
      status = exception.status;
      errors = exception.errors;
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      errors = [{ errorCode: CODES[status] ?? 'UNKNOWN_EXCEPTION', message: exception.message }];
    } else {
      const code = (exception as { statusCode?: unknown }).statusCode;
      if (typeof code === 'number' && code >= 400 && code < 500) {
        status = code;
        errors = [{ errorCode: CODES[code] ?? 'JSON_PARSER_ERROR', message: (exception as Error).message }];
      } else {
        const errorId = randomBytes(6).toString('hex');
        this.logger.error({ msg: 'sandbox error', errorId, err: exception });
        errors = [
          {
            errorCode: 'UNKNOWN_EXCEPTION',
            message: `An unexpected error occurred. Please include this ErrorId if you contact support: ${errorId}`,
          },
        ];
      }
    }
    void reply.status(status).header('content-type', 'application/json;charset=UTF-8').send(errors);
  }
}
