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

/** A hop's row, its correlation and time resolved when it was recorded. */
type LineageRow = [
  contractId: string | null,
  system: string,
  objectType: string,
  externalId: string,
  status: string,
  correlationId: string,
  causationId: string | null,
  detail: string | null,
  occurredAt: string,
];

/**
 * Records hops of a business object through the systems. Anyone in process-q2c may call it, in their own
 * transaction (pass the manager) so a hop is recorded if and only if its step commits. Recording the same hop
 * again (a redelivery) keeps the first row.
 *
 * Inside `batch(manager, work)` the hops recorded with that manager are kept and written in one statement when the
 * work ends, instead of one statement per call: a message's transaction records a dozen hops or more.
 */
@Injectable()
export class LineageRecorder {
  private readonly batches = new WeakMap<EntityManager, LineageRow[]>();

  constructor(private readonly dataSource: DataSource) {}

  async record(
    hops: LineageHop | readonly LineageHop[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    const list = Array.isArray(hops) ? (hops as readonly LineageHop[]) : [hops as LineageHop];
    if (list.length === 0) return;
    const scope = currentCorrelation();
    const rows = list.map((hop): LineageRow => {
      const correlationId = hop.correlationId ?? scope?.correlationId;
      if (!correlationId)
        throw new Error(`A lineage hop needs a correlation id (${hop.system} ${hop.objectType})`);
      return [
        hop.contractId ?? null,
        hop.system,
        hop.objectType,
        hop.externalId,
        hop.status,
        correlationId,
        hop.causationId !== undefined ? hop.causationId : (scope?.causationId ?? null),
        hop.detail ?? null,
        (hop.occurredAt ?? new Date()).toISOString(),
      ];
    });
    const batch = this.batches.get(manager);
    if (batch) batch.push(...rows);
    else await this.insert(manager, rows);
  }

  /**
   * Runs `work`, keeping the hops it records with `manager` (a transaction's) and writing them together when it
   * returns; nothing is written when it throws (its transaction rolls back). A batch inside a batch joins it.
   */
  async batch<T>(manager: EntityManager, work: () => Promise<T>): Promise<T> {
    if (this.batches.has(manager)) return work();
    const rows: LineageRow[] = [];
    this.batches.set(manager, rows);
    try {
      const result = await work();
      await this.insert(manager, rows);
      return result;
    } finally {
      this.batches.delete(manager);
    }
  }

  private async insert(manager: EntityManager, rows: readonly LineageRow[]): Promise<void> {
    if (rows.length === 0) return;
    const column = (i: number) => rows.map((r) => r[i]);
    await manager.query(
      `INSERT INTO "q2c"."lineage"
         ("contract_id", "system", "object_type", "external_id", "status", "correlation_id", "causation_id", "detail", "occurred_at")
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                            $8::text[], $9::timestamptz[])
       ON CONFLICT ("correlation_id", "system", "object_type", "external_id", "status") DO NOTHING`,
      [column(0), column(1), column(2), column(3), column(4), column(5), column(6), column(7), column(8)],
    );
  }
}
