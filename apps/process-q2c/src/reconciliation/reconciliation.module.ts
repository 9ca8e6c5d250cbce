import { Module } from '@nestjs/common';
import { ReconcileHandler } from './reconcile.handler';
import { ReconciliationRunner } from './reconciliation-runner';

/** PLACEHOLDER of the h-ramps branch (see reconciliation-runner.ts): replaced by the reconciliation engine's module. */
@Module({
  providers: [ReconciliationRunner, ReconcileHandler],
  exports: [ReconciliationRunner],
})
export class ReconciliationModule {}
