import { Injectable } from '@nestjs/common';
import { DomainError } from '@revline/http';
import { DataSource } from 'typeorm';
import type {
  ContractChangeLifecycleDto,
  ContractLifecycleDto,
  LifecycleHopDto,
  SystemLifecycleDto,
  SystemStatus,
} from '@revline/finance-api';
import type { ContractSummaryRow } from './contract-summaries';
import { contractSummaries, FAILED_HOPS, toContractSummary } from './contract-summaries';
import type { UnstoredChangeRow } from './unbooked-changes';
import { UnbookedChanges } from './unbooked-changes';

interface SagaRow {
  saga_id: string;
  kind: string;
  correlation_id: string;
  status: string;
  step: string;
  committed_at: Date;
  completed_at: Date | null;
  last_error: string | null;
}

interface CommandCount {
  saga_id: string;
  system: string;
  sent: number;
  confirmed: number;
  rejected: number;
}

interface HopRow {
  correlation_id: string;
  system: string;
  object_type: string;
  external_id: string;
  status: string;
  detail: string | null;
  occurred_at: Date;
}

type System = 'salesforce' | 'billing' | 'erp';
const FAILED = new Set(FAILED_HOPS);

/**
 * Where one system stands for one change. Salesforce is where every change starts (captured), and is done once
 * Salesforce confirmed the write-back of the outcome; billing and the ERP are done when every command sent to them
 * is confirmed. A system is failed while one of its commands stands refused (or its latest hop is a refusal), with
 * the refusal's code and message as the reason; not started when nothing was sent. A command superseded by its retry
 * counts no more. A completed saga is done everywhere it was asked to do something.
 */
function systemStatus(
  system: System,
  saga: SagaRow,
  counts: CommandCount | undefined,
  hops: readonly HopRow[],
): SystemLifecycleDto {
  const mine = hops.filter((h) => h.system === system);
  const last = mine.at(-1);
  const lastHop: LifecycleHopDto | null = last
    ? {
        objectType: last.object_type,
        externalId: last.external_id,
        status: last.status,
        occurredAt: last.occurred_at.toISOString(),
      }
    : null;
  const sent = counts?.sent ?? 0;
  const confirmed = counts?.confirmed ?? 0;
  const refused = (counts?.rejected ?? 0) > 0;
  let status: SystemStatus;
  if (refused || (last && FAILED.has(last.status))) status = 'failed';
  else if (system === 'salesforce')
    status = sent > 0 && confirmed === sent ? 'done' : mine.length > 0 ? 'in_progress' : 'not_started';
  else if (sent === 0) status = mine.length > 0 ? 'in_progress' : 'not_started';
  else status = confirmed === sent ? 'done' : 'in_progress';
  if (saga.status === 'completed' && status === 'in_progress' && system !== 'salesforce') status = 'done';
  const refusal = mine.findLast((h) => h.status === 'rejected');
  const reason = status === 'failed' ? (refusal?.detail ?? last?.detail ?? saga.last_error) : null;
  return { status, commandsSent: sent, commandsConfirmed: confirmed, lastHop, reason };
}

const ORDER_KIND: Partial<Record<string, string>> = {
  new: 'booking',
  amendment: 'amendment',
  renewal: 'renewal',
};

/**
 * A change that started no saga, parked: refused as it was captured (step `normalise`, until an operator fixes the
 * cause and retries), or an amendment waiting for its booking (step `await_booking`). Salesforce captured it;
 * billing and the ERP were asked nothing.
 */
function unstoredChange(row: UnstoredChangeRow, hops: readonly HopRow[]): ContractChangeLifecycleDto {
  const own = hops.filter((h) => h.correlation_id === row.correlation_id);
  const salesforce = own.filter((h) => h.system === 'salesforce').at(-1);
  const untouched = (): SystemLifecycleDto => ({
    status: 'not_started',
    commandsSent: 0,
    commandsConfirmed: 0,
    lastHop: null,
    reason: null,
  });
  return {
    sagaId: null,
    kind: ORDER_KIND[row.order_kind ?? ''] ?? row.order_kind ?? 'unknown',
    correlationId: row.correlation_id,
    status: 'parked',
    step: row.cause === 'refused' ? 'normalise' : 'await_booking',
    committedAt: row.committed_at ?? row.seen_at.toISOString(),
    completedAt: null,
    lastError: row.reason,
    salesforce: {
      status: 'in_progress',
      commandsSent: 0,
      commandsConfirmed: 0,
      lastHop: salesforce
        ? {
            objectType: salesforce.object_type,
            externalId: salesforce.external_id,
            status: salesforce.status,
            occurredAt: salesforce.occurred_at.toISOString(),
          }
        : null,
      reason: null,
    },
    billing: untouched(),
    erp: untouched(),
  };
}

/**
 * Each change of a contract (one saga each, and those refused or waiting before a saga started) with where it
 * stands in Salesforce, billing and the ERP. A contract Revline has not booked (its booking refused, or amendments
 * waiting for it) has a lifecycle too, made of those changes.
 */
@Injectable()
export class ContractLifecycle {
  constructor(
    private readonly dataSource: DataSource,
    private readonly unbooked: UnbookedChanges,
  ) {}

  async execute(contractId: string): Promise<ContractLifecycleDto> {
    const [summaries, unstored] = await Promise.all([
      this.dataSource.query<ContractSummaryRow[]>(
        contractSummaries(`SELECT * FROM "q2c"."contracts" WHERE "contract_id" = $1`),
        [contractId],
      ),
      this.unbooked.of(contractId),
    ]);
    const summary = summaries.at(0);
    if (!summary) {
      if (unstored.length === 0) throw new DomainError(404, `Contract ${contractId} is not known to Revline`);
      return this.notBooked(contractId, unstored);
    }
    // A revenue batch (erp.post-revenue) is counted as the schedules and journals it carries, each its own row.
    const [sagas, counts, hops] = await Promise.all([
      this.dataSource.query<SagaRow[]>(
        `SELECT "saga_id", "kind", "correlation_id", "status", "step", "committed_at", "completed_at", "last_error"
           FROM "q2c"."sagas" WHERE "contract_id" = $1 ORDER BY "started_at", "saga_id"`,
        [contractId],
      ),
      this.dataSource.query<CommandCount[]>(
        `SELECT k."saga_id", CASE split_part(k."job", '.', 1) WHEN 'crm' THEN 'salesforce' ELSE split_part(k."job", '.', 1) END AS system,
                count(*)::int AS sent, (count(*) FILTER (WHERE k."status" = 'confirmed'))::int AS confirmed,
                (count(*) FILTER (WHERE k."status" = 'rejected'))::int AS rejected
           FROM "q2c"."saga_commands" k JOIN "q2c"."sagas" s ON s."saga_id" = k."saga_id"
          WHERE s."contract_id" = $1 AND k."job" <> 'erp.post-revenue' AND k."status" <> 'superseded' GROUP BY 1, 2`,
        [contractId],
      ),
      this.dataSource.query<HopRow[]>(
        `SELECT "correlation_id", "system", "object_type", "external_id", "status", "detail", "occurred_at"
           FROM "q2c"."lineage"
          WHERE "correlation_id" IN (SELECT "correlation_id" FROM "q2c"."sagas" WHERE "contract_id" = $1)
          ORDER BY "occurred_at", "seq"`,
        [contractId],
      ),
    ]);
    const changes = sagas.map((saga): ContractChangeLifecycleDto => {
      const own = hops.filter((h) => h.correlation_id === saga.correlation_id);
      const count = (system: System): CommandCount | undefined =>
        counts.find((c) => c.saga_id === saga.saga_id && c.system === system);
      return {
        sagaId: saga.saga_id,
        kind: saga.kind,
        correlationId: saga.correlation_id,
        status: saga.status,
        step: saga.step,
        committedAt: saga.committed_at.toISOString(),
        completedAt: saga.completed_at ? saga.completed_at.toISOString() : null,
        lastError: saga.last_error,
        salesforce: systemStatus('salesforce', saga, count('salesforce'), own),
        billing: systemStatus('billing', saga, count('billing'), own),
        erp: systemStatus('erp', saga, count('erp'), own),
      };
    });
    const refused = unstored.filter((row) => row.cause === 'refused');
    const refusedHops = refused.length > 0 ? await this.hopsOf(refused) : [];
    return {
      contract: toContractSummary(summary),
      changes: [...changes, ...refused.map((row) => unstoredChange(row, refusedHops))],
    };
  }

  private async notBooked(contractId: string, unstored: UnstoredChangeRow[]): Promise<ContractLifecycleDto> {
    const summary = await this.unbooked.summaryOf(contractId);
    if (!summary) throw new DomainError(404, `Contract ${contractId} is not known to Revline`); // booked meanwhile
    const hops = await this.hopsOf(unstored);
    return { contract: summary, changes: unstored.map((row) => unstoredChange(row, hops)) };
  }

  private hopsOf(rows: readonly UnstoredChangeRow[]): Promise<HopRow[]> {
    return this.dataSource.query<HopRow[]>(
      `SELECT "correlation_id", "system", "object_type", "external_id", "status", "occurred_at"
         FROM "q2c"."lineage" WHERE "correlation_id" = ANY($1) ORDER BY "occurred_at", "seq"`,
      [rows.map((row) => row.correlation_id)],
    );
  }
}
