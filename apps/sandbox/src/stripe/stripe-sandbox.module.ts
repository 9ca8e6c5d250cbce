import formbody from '@fastify/formbody';
import { Injectable, Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { PlatformModule } from '@revline/platform';
import type { FastifyInstance } from 'fastify';
import { parse } from 'qs';
import { CatalogController } from './api/catalog.controller';
import { CustomersController } from './api/customers.controller';
import { FaultsController } from './api/faults.controller';
import { RateLimitsController } from './api/rate-limits.controller';
import { StripeGenerateController } from './generate/generate.controller';
import { InvoicesController } from './api/invoices.controller';
import { PlatformController } from './api/platform.controller';
import { SchedulesController } from './api/schedules.controller';
import { SigmaController, StripeFilesController } from './sigma/sigma.controller';
import { SubscriptionsController } from './api/subscriptions.controller';
import { MeterEventStreamController, StripeV2Controller } from './api/v2.controller';
import { CreditNotes } from './billing/credit-notes';
import { MeterEventStream } from './billing/meter-event-stream';
import { Invoicing } from './billing/invoicing';
import { Schedules } from './billing/schedules';
import { Subscriptions } from './billing/subscriptions';
import { TimeMachine } from './billing/time-machine';
import { Faults } from './http/faults';
import { QS_OPTIONS } from './http/request';
import { StripeApiInterceptor } from './http/stripe-api.interceptor';
import { StripeStore } from './state/store';
import { StripeSandboxConfig } from './stripe-sandbox.config';
import { StripeStateKeeper } from './stripe-state.keeper';
import { SandboxStateConfig } from '../persistence/sandbox-state.config';
import { SandboxProfileConfig } from '../profile/sandbox-profile.config';
import { StripeRateLimiter } from './http/rate-limiter';
import { WebhookDispatcher } from './webhooks/dispatcher';

/** Stripe's form bodies use bracket notation (`items[0][price]=…`): parsed with qs, as Stripe does. */
@Injectable()
class FormBodies implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  async onModuleInit(): Promise<void> {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    if (fastify.hasContentTypeParser('application/x-www-form-urlencoded'))
      fastify.removeContentTypeParser('application/x-www-form-urlencoded');
    await fastify.register(formbody, { parser: (body) => parse(body, QS_OPTIONS) });
  }
}

/** The Stripe stand-in. It checks Stripe's own credentials, not Revline API keys. */
@Module({
  imports: [
    PlatformModule.forApp({ config: [StripeSandboxConfig, SandboxStateConfig, SandboxProfileConfig] }),
  ],
  controllers: [
    CustomersController,
    CatalogController,
    SubscriptionsController,
    SchedulesController,
    InvoicesController,
    PlatformController,
    FaultsController,
    RateLimitsController,
    StripeGenerateController,
    SigmaController,
    StripeFilesController,
    StripeV2Controller,
    MeterEventStreamController,
  ],
  providers: [
    FormBodies,
    StripeStore,
    Faults,
    StripeApiInterceptor,
    StripeRateLimiter,
    Invoicing,
    Subscriptions,
    Schedules,
    CreditNotes,
    MeterEventStream,
    TimeMachine,
    WebhookDispatcher,
    StripeStateKeeper,
  ],
})
export class StripeSandboxModule {}
