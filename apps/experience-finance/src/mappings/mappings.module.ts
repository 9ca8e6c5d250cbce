import { Module } from '@nestjs/common';
import { MappingsController } from './mappings.controller';

/** Mapping versions (propose, approve by another person, reject, diff) and order validation, through process-q2c. */
@Module({ controllers: [MappingsController] })
export class MappingsModule {}
