import { Injectable } from '@nestjs/common';
import type { ErpRevenueJournalPayload } from '@revline/messaging';
import { Outbox } from '@revline/messaging';
import type { EntityManager } from 'typeorm';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { ContractHistoryReader } from '../sagas/contract-history.repository';
import { sagaContext } from '../sagas/erp-plan';
import { revenuePlan } from '../sagas/revenue-plan';
import { fiscalPolicy } from '../shared/fiscal-periods';
import { SagasConfig } from '../shared/sagas.config';

interface RevenueSaga {
  saga_id: string;
  event_id: string;
  kind: string;
  contract_id: string;
  status: string;
  correlation_id: string;
}

/** A period journal the sagas planned: the latest schedule version's, per obligation, and the saga that planned it. */
interface ExpectedJournal {
  journal: ErpRevenueJournalPayload;
  saga: RevenueSaga;
}

export interface RecognisePeriodResult {
  period: string;
  contracts: number;
  expected: number;
  /** External ids of the journals found missing and posted now. */
  posted: string[];
}

/** The key of a catch-up journal: one per journal external id, ever (the outbox keeps the first). */
export const catchUpKey = (externalId: string): string => `recognise-period:${externalId}`;

const IN_FLIGHT = new Set(['running', 'waiting']);

/**
 * `q2c.recognise-period`: proves every contract's revenue journals for a period were posted, and posts the missing
 * ones. The journals expected are those the sagas planned (each revenue step's schedule version, the latest one per
 * obligation winning); a journal counts as posted when the ERP confirmed it, and as missing when the ERP refused it
 * (a period closed then) or its saga is no longer at work (parked). A missing one — its command refused
 * (a closed period) or lost — is sent again with the same payload and ERP external id, so the ERP, which is
 * idempotent on that id and posts only a version's difference, can never post it twice. Journals of sagas still at
 * work are theirs to post. Each catch-up is recorded on the saga's commands and lineage, under its correlation id.
 * A journal a saga sent inside its revenue batch (`erp.post-revenue`) is judged the same way: the saga records it
 * as a saga_commands row of its own (job `erp.post-revenue-journal`, the journal's external id), confirmed or
 * rejected as the batch's `erp.posted` / `erp.rejected` lists it.
 */
@Injectable()
export class RecognisePeriod {
  constructor(
    private readonly history: ContractHistoryReader,
    private readonly outbox: Outbox,
    private readonly lineage: LineageRecorder,
    private readonly config: SagasConfig,
  ) {}

  async execute(
    manager: EntityManager,
    period: string,
    correlationId: string,
  ): Promise<RecognisePeriodResult> {
    const sagas = await manager.query<RevenueSaga[]>(
      `SELECT "saga_id", "event_id", "kind", "contract_id", "status", "correlation_id" FROM "q2c"."sagas"
        WHERE "data" ? 'scheduleVersion' ORDER BY "contract_id", "saga_id"`,
    );
    const byContract = new Map<string, RevenueSaga[]>();
    for (const saga of sagas)
      byContract.set(saga.contract_id, [...(byContract.get(saga.contract_id) ?? []), saga]);
    const result: RecognisePeriodResult = { period, contracts: byContract.size, expected: 0, posted: [] };
    for (const [contractId, list] of byContract) {
      const expected = await this.expected(manager, list, period);
      result.expected += expected.length;
      for (const item of expected) {
        if (await this.postedOrInFlight(manager, item)) continue;
        await this.post(manager, item, contractId, period);
        result.posted.push(item.journal.externalId);
      }
    }
    await this.lineage.record(
      {
        system: 'revline',
        objectType: 'PeriodRecognition',
        externalId: `${period}:${correlationId}`,
        status: 'checked',
        correlationId,
        detail: `${String(result.contracts)} contracts, ${String(result.expected)} journals expected, ${String(result.posted.length)} missing posted`,
      },
      manager,
    );
    return result;
  }

  /** The period's journals of the latest schedule version per obligation, as the contract's sagas planned them. */
  private async expected(
    manager: EntityManager,
    sagas: readonly RevenueSaga[],
    period: string,
  ): Promise<ExpectedJournal[]> {
    const latest = new Map<string, ExpectedJournal>();
    for (const saga of sagas) {
      const ctx = await sagaContext(this.history, manager, {
        kind: saga.kind,
        contractId: saga.contract_id,
        eventId: saga.event_id,
      });
      const plan = revenuePlan(
        ctx.history,
        ctx.catalogue,
        this.config.ERP_SUBSIDIARY,
        fiscalPolicy(this.config),
      );
      for (const journal of plan.journals.filter((j) => j.period === period))
        latest.set(journal.obligationId, { journal, saga });
    }
    return [...latest.values()];
  }

  private async postedOrInFlight(manager: EntityManager, item: ExpectedJournal): Promise<boolean> {
    const rows = await manager.query<Array<{ status: string; idempotency_key: string }>>(
      `SELECT "status", "idempotency_key" FROM "q2c"."saga_commands"
        WHERE "job" = 'erp.post-revenue-journal' AND "external_id" = $1`,
      [item.journal.externalId],
    );
    if (rows.some((r) => r.status === 'confirmed')) return true;
    if (rows.some((r) => r.idempotency_key === catchUpKey(item.journal.externalId))) return true;
    // Sent by a saga still at work and neither confirmed nor refused yet: the saga's to post.
    return rows.some((r) => r.status === 'sent') && IN_FLIGHT.has(item.saga.status);
  }

  private async post(
    manager: EntityManager,
    item: ExpectedJournal,
    contractId: string,
    period: string,
  ): Promise<void> {
    const { journal, saga } = item;
    const key = catchUpKey(journal.externalId);
    await this.outbox.add(manager, 'erp.post-revenue-journal', journal, {
      idempotencyKey: key,
      correlationId: saga.correlation_id,
    });
    await manager.query(
      `INSERT INTO "q2c"."saga_commands" ("idempotency_key", "saga_id", "step", "job", "status", "external_id", "payload")
       VALUES ($1, $2, 'recognise_period', 'erp.post-revenue-journal', 'sent', $3, $4)
       ON CONFLICT ("idempotency_key") DO NOTHING`,
      [key, saga.saga_id, journal.externalId, JSON.stringify(journal)],
    );
    await this.lineage.record(
      {
        contractId,
        system: 'erp',
        objectType: 'erp.post-revenue-journal',
        externalId: journal.externalId,
        status: 'sent',
        correlationId: saga.correlation_id,
        detail: `missing from ${period}: posted by the period recognition (${journal.amount.amountMinor} ${journal.amount.currency}, version ${String(journal.scheduleVersion)})`,
      },
      manager,
    );
  }
}
