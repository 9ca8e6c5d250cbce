import { Injectable } from '@nestjs/common';
import { ErpPort, revenueJournalExternalId, revenueScheduleExternalId } from '@revline/erp-port';
import { prepared } from '@revline/persistence';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { z } from 'zod';
import type { Posted } from './erp-command-runner';
import type { JournalCommand, ScheduleCommand } from './payload-schemas';
import { RevenueKeyLock } from './revenue-key-lock';
import { RevenuePostingEntity } from './revenue-posting.entity';

export type ScheduleInput = z.infer<typeof ScheduleCommand>;
export type JournalInput = z.infer<typeof JournalCommand>;

/** One revenue journal ready to post, computed under its key lock from what revenue_postings holds. */
export interface PreparedJournal {
  /** The journal's ERP external id, derived from contract, obligation, period and version. */
  readonly externalId: string;
  /** The row already recorded for this very version (by whichever command), if any. */
  readonly recorded: RevenuePostingEntity | null;
  /** Posts the difference from the latest earlier version (or nothing, when superseded or zero). */
  post(): Promise<Posted>;
  /** Records what was posted as the version's revenue_postings row (the first row of a version is kept). */
  record(manager: EntityManager, posted: Posted, commandKey: string): Promise<void>;
}

/**
 * The revenue records' semantics, shared by the one-record commands and the batch (`erp.post-revenue`): a schedule
 * version is one ERP record per obligation and version; a period journal is idempotent per contract, obligation,
 * period and version (its external id is derived from those four), a later version posts only its difference
 * from the latest earlier version posted, and a version older than one already posted posts nothing (superseded).
 * Journals of one contract and obligation are serialised across workers by the RevenueKeyLock.
 */
@Injectable()
export class RevenueRecords {
  constructor(
    private readonly erp: ErpPort,
    private readonly lock: RevenueKeyLock,
    private readonly dataSource: DataSource,
  ) {}

  private get table(): string {
    return `"${this.dataSource.driver.schema ?? 'erp'}"."revenue_postings"`;
  }

  scheduleExternalId(s: ScheduleInput): string {
    return revenueScheduleExternalId(s.contractId, s.obligationId, s.scheduleVersion);
  }

  /** Upserts one obligation's schedule version (idempotent on its external id). */
  async upsertSchedule(s: ScheduleInput): Promise<Posted> {
    return this.erp.upsertRevenueSchedule({ ...s, externalId: this.scheduleExternalId(s) });
  }

  journalExternalId(c: JournalInput): string {
    return revenueJournalExternalId(c.contractId, c.obligationId, c.period, c.scheduleVersion);
  }

  /** Runs `work` holding the journal's key lock, with the journal prepared from the postings recorded so far. */
  async withJournal<T>(c: JournalInput, work: (journal: PreparedJournal) => Promise<T>): Promise<T> {
    return this.lock.withLock(c.contractId, c.obligationId, async () => {
      const [[, journal]] = await this.prepare(c, []);
      return work(journal);
    });
  }

  /**
   * Runs `work` for each journal in turn, as `withJournal` does, but takes the key lock and reads the postings
   * recorded once per run of consecutive journals of one contract and obligation (a schedule version's periods).
   * A period met again within a run starts a new run, so it sees what the first one recorded.
   */
  async forEachJournal(
    journals: readonly JournalInput[],
    work: (c: JournalInput, journal: PreparedJournal) => Promise<void>,
  ): Promise<void> {
    for (const [first, ...rest] of runsOf(journals)) {
      await this.lock.withLock(first.contractId, first.obligationId, async () => {
        for (const [c, journal] of await this.prepare(first, rest)) await work(c, journal);
      });
    }
  }

  /**
   * Journals of one contract and obligation and distinct periods (`first` and the `rest`), each paired with its
   * preparation, from one read of their postings.
   */
  private async prepare(
    first: JournalInput,
    rest: readonly JournalInput[],
  ): Promise<Array<[JournalInput, PreparedJournal]>> {
    const run = [first, ...rest];
    // Every version recorded for each key (a handful), newest first; superseded ones never count as posted.
    const { rows } = await prepared<RevenuePostingEntity>(
      this.dataSource,
      `SELECT "id", "contract_id" AS "contractId", "obligation_id" AS "obligationId", "period",
              "schedule_version" AS "scheduleVersion", "currency", "period_amount_minor" AS "periodAmountMinor",
              "posted_amount_minor" AS "postedAmountMinor", "product_class" AS "productClass", "subsidiary",
              "external_id" AS "externalId", "erp_id" AS "erpId", "outcome", "command_key" AS "commandKey",
              "posted_at" AS "postedAt"
         FROM ${this.table}
        WHERE "contract_id" = $1 AND "obligation_id" = $2 AND "period" = ANY($3::text[])
        ORDER BY "schedule_version" DESC`,
      [first.contractId, first.obligationId, run.map((c) => c.period)],
    );
    return run.map((c) => [
      c,
      this.prepared(
        c,
        rows.filter((r) => r.period === c.period),
      ),
    ]);
  }

  private prepared(c: JournalInput, rows: readonly RevenuePostingEntity[]): PreparedJournal {
    const externalId = this.journalExternalId(c);
    const key = { contractId: c.contractId, obligationId: c.obligationId, period: c.period };
    const counted = rows.filter((r) => r.outcome !== 'superseded');
    const latest = counted.at(0) ?? null;
    const previous = counted.find((r) => r.scheduleVersion < c.scheduleVersion) ?? null;
    const recorded = rows.find((r) => r.scheduleVersion === c.scheduleVersion) ?? null;
    const superseded = latest !== null && latest.scheduleVersion > c.scheduleVersion;
    const difference = BigInt(c.amount.amountMinor) - BigInt(previous?.periodAmountMinor ?? '0');
    const nothing = (outcome: 'superseded' | 'nothing_to_post'): Posted => ({
      kind: 'revenueJournal',
      externalId,
      erpId: '',
      outcome,
      postedAmountMinor: '0',
    });
    return {
      externalId,
      recorded,
      post: async (): Promise<Posted> => {
        if (superseded) return nothing('superseded');
        const result = await this.erp.postRevenueJournal({
          externalId,
          contractId: c.contractId,
          obligationId: c.obligationId,
          period: c.period,
          scheduleVersion: c.scheduleVersion,
          amount: { amountMinor: difference.toString(), currency: c.amount.currency },
          productClass: c.productClass,
          subsidiary: c.subsidiary,
          ...(c.kind ? { kind: c.kind } : {}),
        });
        return result
          ? { ...result, outcome: 'posted', postedAmountMinor: difference.toString() }
          : nothing('nothing_to_post');
      },
      record: async (manager, posted, commandKey) => {
        await prepared(
          manager,
          `INSERT INTO ${this.table} ("contract_id", "obligation_id", "period", "schedule_version", "currency",
             "period_amount_minor", "posted_amount_minor", "product_class", "subsidiary", "external_id", "erp_id",
             "outcome", "command_key")
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING`,
          [
            key.contractId,
            key.obligationId,
            key.period,
            c.scheduleVersion,
            c.amount.currency,
            c.amount.amountMinor,
            posted.postedAmountMinor ?? '0',
            c.productClass,
            c.subsidiary,
            externalId,
            posted.erpId || null,
            posted.outcome ?? 'posted',
            commandKey,
          ],
        );
      },
    };
  }
}

/** Consecutive journals of one contract and obligation, cut where a period would repeat. */
function runsOf(journals: readonly JournalInput[]): Array<[JournalInput, ...JournalInput[]]> {
  const runs: Array<[JournalInput, ...JournalInput[]]> = [];
  for (const c of journals) {
    const run = runs.at(-1);
    const joins =
      run !== undefined &&
      run[0].contractId === c.contractId &&
      run[0].obligationId === c.obligationId &&
      !run.some((r) => r.period === c.period);
    if (joins) run.push(c);
    else runs.push([c]);
  }
  return runs;
}
