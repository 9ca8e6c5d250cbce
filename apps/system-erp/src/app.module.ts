import { Module } from '@nestjs/common';
import { PlatformModule } from '@revline/platform';
import { DATABASE } from './database';
import { ErpConfig } from './erp.config';
import { NetSuiteConfig } from './netsuite/netsuite.config';
import { PostingsModule } from './postings/postings.module';
import { ReconciliationModule } from './reconciliation/reconciliation.module';

@Module({
  imports: [
    PlatformModule.forApp({
      config: [ErpConfig, NetSuiteConfig],
      database: DATABASE,
      auth: {},
      messaging: { consumes: ['erp.commands'], forwardExceptions: 'erp' },
    }),
    PostingsModule,
    ReconciliationModule,
  ],
})
export class AppModule {}
