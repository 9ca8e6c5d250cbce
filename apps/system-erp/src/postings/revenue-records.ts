import { Injectable } from '@nestjs/common';
import { ErpPort, revenueJournalExternalId, revenueScheduleExternalId } from '@revline/erp-port';
import { DataSource, In } from 'typeorm';
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
    const rows = await this.dataSource.getRepository(RevenuePostingEntity).find({
      where: {
        contractId: first.contractId,
        obligationId: first.obligationId,
        period: In(run.map((c) => c.period)),
      },
      order: { scheduleVersion: 'DESC' },
    });
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
        await manager
          .createQueryBuilder()
          .insert()
          .into(RevenuePostingEntity)
          .values({
            ...key,
            scheduleVersion: c.scheduleVersion,
            currency: c.amount.currency,
            periodAmountMinor: c.amount.amountMinor,
            postedAmountMinor: posted.postedAmountMinor ?? '0',
            productClass: c.productClass,
            subsidiary: c.subsidiary,
            externalId,
            erpId: posted.erpId || null,
            outcome: posted.outcome ?? 'posted',
            commandKey,
          })
          .orIgnore()
          .execute();
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
