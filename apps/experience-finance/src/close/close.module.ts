import { Module } from '@nestjs/common';
import { SharedModule } from '../shared/shared.module';
import { CloseController } from './close.controller';

/** Close readiness of a month and its revenue runs, from process-q2c. */
@Module({ imports: [SharedModule], controllers: [CloseController] })
export class CloseModule {}
