import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { HttpModule } from '@nestjs/axios';
import { Global, Module } from '@nestjs/common';
import { ProcessQ2cClient } from './process-q2c.client';
import { ServiceKeyRegistration } from './service-key';

/** The process API client every feature module of experience-finance uses. */
@Global()
@Module({
  imports: [
    // Kept-alive connections to process-q2c, and Node's own http client: process-q2c never redirects, so axios's
    // redirect-following transport would only add its cost to every call.
    HttpModule.register({
      httpAgent: new Agent({ keepAlive: true }),
      httpsAgent: new HttpsAgent({ keepAlive: true }),
      maxRedirects: 0,
    }),
  ],
  providers: [ProcessQ2cClient, ServiceKeyRegistration],
  exports: [ProcessQ2cClient],
})
export class ProcessQ2cModule {}
