import { Module } from '@nestjs/common';
import { PlatformModule } from '@revline/platform';
import { BillingModule } from './billing.module';
import { DATABASE } from './database';
import { StripeConfig } from './stripe/stripe.config';

@Module({
  imports: [
    PlatformModule.forApp({
      config: [StripeConfig],
      database: DATABASE,
      auth: {},
      messaging: { consumes: ['billing.commands'], forwardExceptions: 'billing' },
    }),
    BillingModule,
  ],
})
export class AppModule {}
