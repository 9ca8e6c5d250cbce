import { Module } from '@nestjs/common';
import { SlaController } from './sla.controller';

/** Service figures for finance users, from process-q2c. */
@Module({ controllers: [SlaController] })
export class SlaModule {}
