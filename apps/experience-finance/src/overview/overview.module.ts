import { Module } from '@nestjs/common';
import { OverviewController } from './overview.controller';

/** The finance overview, assembled from process-q2c's counts, SLA, runs and close readiness. */
@Module({ controllers: [OverviewController] })
export class OverviewModule {}
