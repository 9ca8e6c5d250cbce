import { Injectable } from '@nestjs/common';
import type { BillingReportUsagePayload } from '@revline/messaging';
import { Outbox } from '@revline/messaging';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { ActiveMapping } from '../mappings/active-mapping';
import type { RowProblem, UsageRow } from './parse-usage';
import { refuse } from './parse-usage';

/** Events per billing.report-usage command. */
export const USAGE_BATCH = 1_000;
/** Rows per staging statement. */
const STAGE_CHUNK = 10_000;

export interface UsageOutcome {
  received: number;
  staged: number;
  duplicates: number;
  commands: Array<{ customerId: string; meterEventName: string; events: number; idempotencyKey: string }>;
}

/** The billing meter a usage product reports to: its product code, lower case, `-` as `_` (API-CALLS → api_calls). */
export const meterEventNameOf = (productCode: string): string => productCode.toLowerCase().replace(/-/g, '_');

interface Contract {
  customerId: string;
  correlationId: string;
}

/**
 * Stages usage rows once per identifier and reports the new ones to the billing platform, batched per customer and
 * meter, in one transaction: the rows, their billing.report-usage commands (outbox) and a lineage hop per contract.
 * Staging is a multi-row INSERT … SELECT FROM unnest(…) per chunk (the `pg` driver speaks COPY only through
 * pg-copy-streams, which is not installed), each row written once with its command key, with ON CONFLICT DO
 * NOTHING as the dedup against earlier uploads.
 */
@Injectable()
export class ReportUsage {
  constructor(
    private readonly dataSource: DataSource,
    private readonly mappings: ActiveMapping,
    private readonly outbox: Outbox,
    private readonly lineage: LineageRecorder,
  ) {}

  async execute(rows: readonly UsageRow[], repeated: number): Promise<UsageOutcome> {
    return this.dataSource.transaction(async (manager) => {
      const contracts = await this.contracts(manager, [...new Set(rows.map((r) => r.contractId))]);
      await this.check(manager, rows, contracts);
      const groupOf = (row: UsageRow) => this.commandKey(contracts, row);
      const fresh = await this.stage(manager, rows, contracts, groupOf);
      const commands: UsageOutcome['commands'] = [];
      for (const [key, batch] of fresh.batches) {
        const first = batch[0];
        const customerId = (contracts.get(first.contractId) as Contract).customerId;
        const payload: BillingReportUsagePayload = {
          meterEventName: meterEventNameOf(first.productCode),
          events: batch.map((r) => ({
            identifier: r.identifier,
            customerId,
            value: r.quantity,
            timestamp: r.occurredAt,
          })),
        };
        await this.outbox.add(manager, 'billing.report-usage', payload, {
          idempotencyKey: key,
          correlationId: (contracts.get(first.contractId) as Contract).correlationId,
        });
        commands.push({
          customerId,
          meterEventName: payload.meterEventName,
          events: batch.length,
          idempotencyKey: key,
        });
      }
      const perContract = new Map<string, number>();
      for (const r of fresh.rows) perContract.set(r.contractId, (perContract.get(r.contractId) ?? 0) + 1);
      await this.lineage.record(
        [...perContract].map(([contractId, n]) => ({
          contractId,
          system: 'revline' as const,
          objectType: 'UsageReported',
          externalId: `${contractId}:${String(n)}:${fresh.rows.find((r) => r.contractId === contractId)?.identifier ?? ''}`,
          status: 'staged',
          correlationId: (contracts.get(contractId) as Contract).correlationId,
          detail: `${String(n)} usage events`,
        })),
        manager,
      );
      return {
        received: rows.length + repeated,
        staged: fresh.rows.length,
        duplicates: rows.length + repeated - fresh.rows.length,
        commands,
      };
    });
  }

  /** The contracts' billing customers, from the sagas that created them. */
  private async contracts(manager: EntityManager, ids: string[]): Promise<Map<string, Contract>> {
    const rows = await manager.query<
      Array<{ contract_id: string; customer_id: string; correlation_id: string }>
    >(
      `SELECT DISTINCT ON ("contract_id") "contract_id", "data"->>'billingCustomerId' AS "customer_id", "correlation_id"
         FROM "q2c"."sagas" WHERE "contract_id" = ANY($1::text[]) AND "data" ? 'billingCustomerId'
        ORDER BY "contract_id", "saga_id"`,
      [ids],
    );
    return new Map(
      rows.map((r) => [r.contract_id, { customerId: r.customer_id, correlationId: r.correlation_id }]),
    );
  }

  private async check(
    manager: EntityManager,
    rows: readonly UsageRow[],
    contracts: ReadonlyMap<string, Contract>,
  ): Promise<void> {
    const { catalogue } = await this.mappings.current(manager);
    const problems: RowProblem[] = [];
    rows.forEach((r, i) => {
      if (!contracts.has(r.contractId))
        problems.push({
          field: `rows[${String(i)}].contractId`,
          problem: `${r.contractId} is not a contract with a billing customer`,
        });
      const entry = catalogue.get(r.productCode);
      if (!entry)
        problems.push({
          field: `rows[${String(i)}].productCode`,
          problem: `${r.productCode} is not in the product catalogue`,
        });
      else if (entry.chargeType !== 'usage')
        problems.push({
          field: `rows[${String(i)}].productCode`,
          problem: `${r.productCode} is not a usage product`,
        });
    });
    if (problems.length > 0) refuse(problems);
  }

  /** Batches are fixed by the upload: per customer and meter, USAGE_BATCH events each, keyed by their identifiers. */
  private commandKey(contracts: ReadonlyMap<string, Contract>, row: UsageRow): string {
    return `usage:${(contracts.get(row.contractId) as Contract).customerId}:${meterEventNameOf(row.productCode)}`;
  }

  private batches(rows: readonly UsageRow[], groupOf: (row: UsageRow) => string): Map<string, UsageRow[]> {
    const groups = new Map<string, UsageRow[]>();
    for (const r of rows) {
      const group = groupOf(r);
      const list = groups.get(group);
      if (list) list.push(r);
      else groups.set(group, [r]);
    }
    const out = new Map<string, UsageRow[]>();
    for (const [group, list] of groups) {
      for (let i = 0; i < list.length; i += USAGE_BATCH) {
        const batch = list.slice(i, i + USAGE_BATCH);
        const digest = createHash('sha256')
          .update(batch.map((r) => r.identifier).join('\n'))
          .digest('hex')
          .slice(0, 32);
        out.set(`${group}:${digest}`, batch);
      }
    }
    return out;
  }

  /**
   * Inserts the rows not staged before, each with the key of the command that reports it, and returns them in
   * their batches. The rows already staged are read first, so that the batches (and so every row's command key)
   * are known before the one INSERT per chunk; when the INSERT stages fewer rows than that (an upload of the same
   * identifiers committed in between), the batches are formed again from the rows it did insert and their keys
   * rewritten, as without the read.
   */
  private async stage(
    manager: EntityManager,
    rows: readonly UsageRow[],
    contracts: ReadonlyMap<string, Contract>,
    groupOf: (row: UsageRow) => string,
  ): Promise<{ rows: UsageRow[]; batches: Map<string, UsageRow[]> }> {
    const known = new Set<string>();
    for (let i = 0; i < rows.length; i += STAGE_CHUNK) {
      const existing = await manager.query<Array<{ identifier: string }>>(
        `SELECT "identifier" FROM "q2c"."usage_events" WHERE "identifier" = ANY($1::text[])`,
        [rows.slice(i, i + STAGE_CHUNK).map((r) => r.identifier)],
      );
      for (const r of existing) known.add(r.identifier);
    }
    const expected = rows.filter((r) => !known.has(r.identifier));
    const batches = this.batches(expected, groupOf);
    const keys = new Map<string, string>();
    for (const [key, batch] of batches) for (const r of batch) keys.set(r.identifier, key);
    const inserted = new Set<string>();
    for (let i = 0; i < expected.length; i += STAGE_CHUNK) {
      const chunk = expected.slice(i, i + STAGE_CHUNK);
      const result = await manager.query<Array<{ identifier: string }>>(
        `INSERT INTO "q2c"."usage_events"
           ("identifier", "contract_id", "customer_id", "product_code", "quantity", "occurred_at", "command_key")
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::numeric[], $6::timestamptz[], $7::text[])
         ON CONFLICT ("identifier") DO NOTHING RETURNING "identifier"`,
        [
          chunk.map((r) => r.identifier),
          chunk.map((r) => r.contractId),
          chunk.map((r) => (contracts.get(r.contractId) as Contract).customerId),
          chunk.map((r) => r.productCode),
          chunk.map((r) => r.quantity),
          chunk.map((r) => r.occurredAt),
          chunk.map((r) => keys.get(r.identifier) ?? groupOf(r)),
        ],
      );
      for (const r of result) inserted.add(r.identifier);
    }
    if (inserted.size === expected.length) return { rows: expected, batches };
    const fresh = expected.filter((r) => inserted.has(r.identifier));
    const regrouped = this.batches(fresh, groupOf);
    for (const [key, batch] of regrouped) {
      await manager.query(
        `UPDATE "q2c"."usage_events" SET "command_key" = $1 WHERE "identifier" = ANY($2::text[])`,
        [key, batch.map((r) => r.identifier)],
      );
    }
    return { rows: fresh, batches: regrouped };
  }
}
