import { Injectable } from '@nestjs/common';
import { DomainError } from '@revline/http';
import { DataSource } from 'typeorm';
import type { MappingVersionDto, MappingVersionSummaryDto } from './mapping-version.dto';
import { toMappingVersionDto, toMappingVersionSummary } from './mapping-version.dto';
import { MappingVersionEntity } from './mapping-version.entity';

/** Reads of mapping versions: the active one, one by number, and the history. */
@Injectable()
export class MappingQueries {
  constructor(private readonly dataSource: DataSource) {}

  async active(): Promise<MappingVersionDto> {
    const row = await this.dataSource.getRepository(MappingVersionEntity).findOneBy({ status: 'active' });
    if (!row) throw new DomainError(404, 'No mapping version is active');
    return toMappingVersionDto(row);
  }

  async one(version: number): Promise<MappingVersionDto> {
    const row = await this.dataSource.getRepository(MappingVersionEntity).findOneBy({ version });
    if (!row) throw new DomainError(404, `Mapping version ${String(version)} does not exist`);
    return toMappingVersionDto(row);
  }

  async history(): Promise<MappingVersionSummaryDto[]> {
    const rows = await this.dataSource
      .getRepository(MappingVersionEntity)
      .find({ order: { version: 'DESC' } });
    return rows.map(toMappingVersionSummary);
  }
}
