import { HttpModule } from '@nestjs/axios';
import { Global, Module } from '@nestjs/common';
import { ProcessQ2cClient } from './process-q2c.client';
import { ServiceKeyRegistration } from './service-key';

/** The process API client every feature module of experience-finance uses. */
@Global()
@Module({
  imports: [HttpModule],
  providers: [ProcessQ2cClient, ServiceKeyRegistration],
  exports: [ProcessQ2cClient],
})
export class ProcessQ2cModule {}
