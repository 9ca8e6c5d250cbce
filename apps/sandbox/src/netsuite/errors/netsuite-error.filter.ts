import { Catch, HttpException, Logger } from '@nestjs/common';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { NetSuiteError } from './netsuite-error';

/**
 * Answers every error of the NetSuite routes the way NetSuite does (`o:errorDetails` with `o:errorCode`),
 * never as Revline's problem+json: the client under test is a NetSuite client.
 */
@Catch()
export class NetSuiteErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('NetSuiteSandbox');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const error = toNetSuiteError(exception);
    if (error.status >= 500 && !(exception instanceof NetSuiteError)) {
      this.logger.error({ msg: 'sandbox request failed', err: exception });
    }
    if (reply.sent || reply.raw.destroyed) return;
    void reply
      .status(error.status)
      .header('content-type', 'application/vnd.oracle.resource+json; type=error')
      .send(error.toBody());
  }
}

export function toNetSuiteError(exception: unknown): NetSuiteError {
  if (exception instanceof NetSuiteError) return exception;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return new NetSuiteError(
      status,
      status === 404 ? 'NONEXISTENT_ID' : 'INVALID_REQUEST',
      exception.message,
    );
  }
  const status = (exception as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new NetSuiteError(status, 'INVALID_CONTENT', (exception as Error).message);
  }
  return new NetSuiteError(500, 'UNEXPECTED_ERROR', 'An unexpected error occurred.');
}
