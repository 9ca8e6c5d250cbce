import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { ErpPort } from '@revline/erp-port';
import { VendorChecks, VendorHealthController } from '@revline/platform';
import { NetSuiteChecks } from '../preflight/netsuite-checks';
import { AccountSlots } from './account-slots';
import { NetSuiteClient } from './netsuite-client';
import { NetSuiteErpAdapter } from './netsuite-erp.adapter';
import { NetSuiteReferences } from './netsuite-references';
import { NetSuiteSigner } from './netsuite-signer';

/** The NetSuite adapter of the ERP port: `ErpPort` is all the rest of the app sees. */
@Module({
  imports: [HttpModule],
  controllers: [VendorHealthController],
  providers: [
    { provide: VendorChecks, useClass: NetSuiteChecks },
    NetSuiteSigner,
    AccountSlots,
    NetSuiteClient,
    NetSuiteReferences,
    NetSuiteErpAdapter,
    { provide: ErpPort, useExisting: NetSuiteErpAdapter },
  ],
  exports: [ErpPort],
})
export class NetSuiteModule {}
