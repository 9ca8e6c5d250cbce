import { Module } from '@nestjs/common';
import { NetSuiteModule } from '../netsuite/netsuite.module';
import { ReconciliationController } from './reconciliation.controller';
import { ReconciliationReads } from './reconciliation-reads';

@Module({
  imports: [NetSuiteModule],
  controllers: [ReconciliationController],
  providers: [ReconciliationReads],
})
export class ReconciliationModule {}
