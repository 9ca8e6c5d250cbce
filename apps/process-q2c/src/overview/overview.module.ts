import { Module } from '@nestjs/common';
import { ContractsModule } from '../contracts/contracts.module';
import { OverviewController } from './overview.controller';
import { OverviewCountsQuery } from './overview-counts';

/** The finance overview's counts, counted with the conditions of the lists they link to. */
@Module({ imports: [ContractsModule], controllers: [OverviewController], providers: [OverviewCountsQuery] })
export class OverviewModule {}
