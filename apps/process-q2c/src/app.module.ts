import { Module } from '@nestjs/common';
import { PlatformModule } from '@revline/platform';
import { DATABASE } from './database';
import { RevenueModule } from './revenue/revenue.module';

@Module({
  imports: [
    PlatformModule.forApp({
      database: DATABASE,
      auth: {},
      messaging: { consumes: [], dashboard: true },
    }),
    RevenueModule,
  ],
})
export class AppModule {}
