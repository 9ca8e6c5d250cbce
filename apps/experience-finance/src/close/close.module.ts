import { Module } from '@nestjs/common';
import { CloseController } from './close.controller';

/** Close readiness of a month, from process-q2c. */
@Module({ controllers: [CloseController] })
export class CloseModule {}
