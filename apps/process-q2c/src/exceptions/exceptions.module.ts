import { Module } from '@nestjs/common';
import { SagasModule } from '../sagas/sagas.module';
import { ExceptionsController } from './exceptions.controller';
import { JobRequeuer } from './job-requeuer';
import { ListExceptions } from './list-exceptions.query';
import { ResolveException } from './resolve-exception.usecase';
import { RetryExceptions } from './retry-exceptions.usecase';

/** The exceptions workbench of process-q2c: list, retry one or many, resolve; JobRequeuer for re-drives. */
@Module({
  imports: [SagasModule],
  controllers: [ExceptionsController],
  providers: [ListExceptions, RetryExceptions, ResolveException, JobRequeuer],
  exports: [JobRequeuer],
})
export class ExceptionsModule {}
