import { Injectable } from '@nestjs/common';
import { DomainError } from '@revline/http';
import { DataSource } from 'typeorm';
import type { ContractChangeLineageDto, ContractLineageDto, LineageHopDto } from '@revline/finance-api';

interface Row {
  contract_id: string | null;
  system: string;
  object_type: string;
  external_id: string;
  status: string;
  correlation_id: string;
  causation_id: string | null;
  detail: string | null;
  occurred_at: Date;
  recorded_at: Date;
}

/**
 * A contract's story: every hop recorded under it, and the hops that share their correlation ids but were
 * recorded before the contract was known (an amendment parked while its booking was on its way).
 */
@Injectable()
export class ContractLineage {
  constructor(private readonly dataSource: DataSource) {}

  async execute(contractId: string): Promise<ContractLineageDto> {
    const rows = await this.dataSource.query<Row[]>(
      `SELECT * FROM "q2c"."lineage"
        WHERE "correlation_id" IN (SELECT "correlation_id" FROM "q2c"."lineage" WHERE "contract_id" = $1)
        ORDER BY "occurred_at", "seq"`,
      [contractId],
    );
    if (rows.length === 0) throw new DomainError(404, `No lineage is recorded for contract ${contractId}`);
    const changes = new Map<string, LineageHopDto[]>();
    for (const row of rows) {
      const hop: LineageHopDto = {
        system: row.system,
        objectType: row.object_type,
        externalId: row.external_id,
        status: row.status,
        contractId: row.contract_id,
        correlationId: row.correlation_id,
        causationId: row.causation_id,
        detail: row.detail,
        occurredAt: row.occurred_at.toISOString(),
        recordedAt: row.recorded_at.toISOString(),
      };
      changes.set(row.correlation_id, [...(changes.get(row.correlation_id) ?? []), hop]);
    }
    return {
      contractId,
      changes: [...changes.entries()].map(([correlationId, hops]): ContractChangeLineageDto => {
        const last = hops.at(-1);
        return { correlationId, lastStatus: last?.status ?? '', lastSystem: last?.system ?? '', hops };
      }),
    };
  }
}
