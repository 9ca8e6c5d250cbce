import { Module } from '@nestjs/common';
import { RevenueController } from './revenue.controller';

/** Revenue reports for finance users, from process-q2c. */
@Module({ controllers: [RevenueController] })
export class RevenueModule {}
