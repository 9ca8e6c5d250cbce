import { Module } from '@nestjs/common';
import { PlatformModule } from '@revline/platform';
import { DATABASE } from './database';
import { EventsModule } from './events/events.module';
import { ExceptionsModule } from './exceptions/exceptions.module';
import { LineageModule } from './lineage/lineage.module';
import { MappingsModule } from './mappings/mappings.module';
import { Q2cConfig } from './mappings/q2c.config';
import { NormalisationModule } from './normalisation/normalisation.module';
import { RevenueModule } from './revenue/revenue.module';
import { ValidationModule } from './validation/validation.module';

@Module({
  imports: [
    PlatformModule.forApp({
      config: [Q2cConfig],
      database: DATABASE,
      auth: {},
      messaging: { consumes: ['crm.changes'], dashboard: true },
    }),
    RevenueModule,
    MappingsModule,
    EventsModule,
    LineageModule,
    ExceptionsModule,
    NormalisationModule,
    ValidationModule,
  ],
})
export class AppModule {}
