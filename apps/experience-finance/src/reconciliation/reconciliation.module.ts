import { Module } from '@nestjs/common';
import { ReconciliationController } from './reconciliation.controller';

/** Reconciliation runs and their breaks, from process-q2c. */
@Module({ controllers: [ReconciliationController] })
export class ReconciliationModule {}
