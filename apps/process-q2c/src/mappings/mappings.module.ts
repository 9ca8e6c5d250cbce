import { Module } from '@nestjs/common';
import { ActiveMapping } from './active-mapping';
import { ApproveMappingVersion, RejectMappingVersion } from './decide-mapping.usecase';
import { MappingQueries } from './mapping-queries';
import { MappingsController } from './mappings.controller';
import { ProposeMappingVersion } from './propose-mapping.usecase';

/** Versioned mappings and product catalogue with maker-checker approval; ActiveMapping for the rest of the app. */
@Module({
  controllers: [MappingsController],
  providers: [
    ActiveMapping,
    MappingQueries,
    ProposeMappingVersion,
    ApproveMappingVersion,
    RejectMappingVersion,
  ],
  exports: [ActiveMapping],
})
export class MappingsModule {}
