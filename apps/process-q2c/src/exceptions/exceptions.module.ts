import { Module } from '@nestjs/common';
import { SagasModule } from '../sagas/sagas.module';
import { ExceptionsController } from './exceptions.controller';
import { ForwardedExceptions } from './forwarded-exceptions.repository';
import { JobRequeuer } from './job-requeuer';
import { ExceptionHistory } from './exception-history';
import { ListExceptions } from './list-exceptions.query';
import { ResolveException } from './resolve-exception.usecase';
import { RetryExceptions } from './retry-exceptions.usecase';
import { SystemExceptionsHandler } from './system-exceptions.handler';

/** The exceptions workbench of process-q2c: list, retry one or many, resolve; JobRequeuer for re-drives; the
 * exceptions system APIs forward. */
@Module({
  imports: [SagasModule],
  controllers: [ExceptionsController],
  providers: [
    ExceptionHistory,
    ListExceptions,
    RetryExceptions,
    ResolveException,
    JobRequeuer,
    ForwardedExceptions,
    SystemExceptionsHandler,
  ],
  exports: [JobRequeuer],
})
export class ExceptionsModule {}
