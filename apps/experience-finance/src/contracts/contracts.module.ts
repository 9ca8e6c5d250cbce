import { Module } from '@nestjs/common';
import { ContractsController } from './contracts.controller';

/** Contracts, their lifecycle and lineage, read from process-q2c. */
@Module({ controllers: [ContractsController] })
export class ContractsModule {}
