import { Module } from '@nestjs/common';
import { ReconciliationBreaksController, ReconciliationController } from './reconciliation.controller';

/** Reconciliation runs and their breaks, from process-q2c. */
@Module({ controllers: [ReconciliationController, ReconciliationBreaksController] })
export class ReconciliationModule {}
