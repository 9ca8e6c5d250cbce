import { Module } from '@nestjs/common';
import { CrmPort } from '@revline/crm-port';
import { PlatformModule, VendorChecks, VendorHealthController } from '@revline/platform';
import { CaptureLeader } from './capture/capture-leader';
import { CdcCapture } from './capture/cdc-capture';
import { ChangeIntake } from './capture/change-intake';
import { OrderPoller } from './capture/order-poller';
import { SalesforceConfig } from './config';
import { DATABASE } from './database';
import { OrderLinesExportController } from './records/order-lines-export.controller';
import { RecordsController } from './records/records.controller';
import { SalesforceChecks } from './preflight/salesforce-checks';
import { OrgSlots } from './salesforce/org-slots';
import { JsforceSalesforceApi, SalesforceApi } from './salesforce/salesforce-api';
import { SalesforceCrmAdapter } from './salesforce/salesforce-crm.adapter';
import { WRITE_BACK_CONCURRENCY, WriteBackHandler } from './write-back/write-back.handler';

@Module({
  imports: [
    PlatformModule.forApp({
      config: [SalesforceConfig],
      database: DATABASE,
      auth: {},
      messaging: {
        consumes: ['crm.commands'],
        forwardExceptions: 'salesforce',
        concurrency: { 'crm.commands': WRITE_BACK_CONCURRENCY },
      },
    }),
  ],
  controllers: [RecordsController, OrderLinesExportController, VendorHealthController],
  providers: [
    OrgSlots,
    { provide: SalesforceApi, useClass: JsforceSalesforceApi },
    { provide: CrmPort, useClass: SalesforceCrmAdapter },
    ChangeIntake,
    OrderPoller,
    CdcCapture,
    CaptureLeader,
    WriteBackHandler,
    { provide: VendorChecks, useClass: SalesforceChecks },
  ],
})
export class AppModule {}
