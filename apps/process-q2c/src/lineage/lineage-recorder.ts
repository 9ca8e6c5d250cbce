import { Injectable } from '@nestjs/common';
import { currentCorrelation } from '@revline/observability';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';

export interface LineageHop {
  /** The Revline contract, when known at this hop. */
  contractId?: string | null;
  system: 'salesforce' | 'revline' | 'billing' | 'erp';
  objectType: string;
  externalId: string;
  status: string;
  /** Defaults to the correlation in scope (the job or request being handled). */
  correlationId?: string;
  causationId?: string | null;
  detail?: string | null;
  occurredAt?: Date;
}

/**
 * Records hops of a business object through the systems. Anyone in process-q2c may call it, in their own
 * transaction (pass the manager) so a hop is recorded if and only if its step commits. Recording the same hop
 * again (a redelivery) keeps the first row.
 */
@Injectable()
export class LineageRecorder {
  constructor(private readonly dataSource: DataSource) {}

  async record(
    hops: LineageHop | readonly LineageHop[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    const list = Array.isArray(hops) ? (hops as readonly LineageHop[]) : [hops as LineageHop];
    if (list.length === 0) return;
    const scope = currentCorrelation();
    const values: unknown[] = [];
    const rows = list.map((hop, i) => {
      const correlationId = hop.correlationId ?? scope?.correlationId;
      if (!correlationId)
        throw new Error(`A lineage hop needs a correlation id (${hop.system} ${hop.objectType})`);
      values.push(
        hop.contractId ?? null,
        hop.system,
        hop.objectType,
        hop.externalId,
        hop.status,
        correlationId,
        hop.causationId !== undefined ? hop.causationId : (scope?.causationId ?? null),
        hop.detail ?? null,
        (hop.occurredAt ?? new Date()).toISOString(),
      );
      const at = i * 9;
      return `(${Array.from({ length: 9 }, (_, k) => `$${String(at + k + 1)}`).join(', ')})`;
    });
    await manager.query(
      `INSERT INTO "q2c"."lineage"
         ("contract_id", "system", "object_type", "external_id", "status", "correlation_id", "causation_id", "detail", "occurred_at")
       VALUES ${rows.join(', ')}
       ON CONFLICT ("correlation_id", "system", "object_type", "external_id", "status") DO NOTHING`,
      values,
    );
  }
}
