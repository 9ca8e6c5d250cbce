import { Injectable } from '@nestjs/common';
import { csvWriter, DomainError } from '@revline/http';
import { ExceptionRecorder, Outbox } from '@revline/messaging';
import type { ErpPostedPayload, ErpRejectedPayload } from '@revline/messaging';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { FiscalPeriods } from '../shared/fiscal-periods';
import type { RevenueRunDto, StartRevenueRunResultDto } from '@revline/finance-api';
import { planRun } from './revenue-run.plan';
import { RevenueRunsConfig } from './revenue-runs.config';
import type { JournalRow, RunRow } from './revenue-runs.repository';
import { RevenueRunsRepository } from './revenue-runs.repository';

const LINE_COLUMNS = [
  'contract_id',
  'obligation_id',
  'subsidiary',
  'currency',
  'product_class',
  'recognised_to_date_minor',
  'billed_to_date_minor',
  'revenue_minor',
  'unbilled_minor',
  'journal_external_id',
] as const;

/** The idempotency key of a run journal's ERP command. */
const commandKey = (externalId: string): string => `revenue-run:${externalId}`;
export const isRevenueRunCommand = (key: string): boolean => key.startsWith('revenue-run:');
const externalIdOf = (key: string): string => key.slice('revenue-run:'.length);

function view(run: RunRow, journals: readonly JournalRow[]): RevenueRunDto {
  return {
    runId: run.run_id,
    period: run.period,
    sequence: run.sequence,
    kind: run.sequence === 1 ? 'close' : 'adjustment',
    mode: run.mode,
    state: run.state,
    requestedBy: run.requested_by,
    correlationId: run.correlation_id,
    contracts: run.contracts,
    lines: run.lines,
    ...(run.reason ? { reason: run.reason } : {}),
    startedAt: run.started_at.toISOString(),
    ...(run.finished_at ? { finishedAt: run.finished_at.toISOString() } : {}),
    journals: journals
      .filter((j) => j.run_id === run.run_id)
      .map((j) => ({
        externalId: j.external_id,
        subsidiary: j.subsidiary,
        currency: j.currency,
        chunk: j.chunk,
        lines: j.lines,
        debitMinor: j.debit_minor,
        status: j.status,
        ...(j.erp_id ? { erpId: j.erp_id } : {}),
        ...(j.error ? { error: j.error } : {}),
      })),
  };
}

/**
 * Period close's revenue run (`q2c.close-period`, `POST /v1/close/{period}/revenue-runs`): from the stored schedules
 * and usage revenue, each contract obligation's revenue recognised to the period end less what earlier runs posted,
 * and each contract's unbilled receivable the same way (planRun), posted in summarised journals under deterministic
 * external ids. Runs go forward one at a time: a run of a period before the latest run's is refused (its changes
 * post in the open period), and while a run is posting, asking again returns it (a close killed half-way resumes, it
 * never posts a second set). A re-run posts only the difference, as an adjustment run, or nothing.
 */
@Injectable()
export class ClosePeriod {
  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: RevenueRunsRepository,
    private readonly outbox: Outbox,
    private readonly lineage: LineageRecorder,
    private readonly exceptions: ExceptionRecorder,
    private readonly config: RevenueRunsConfig,
    private readonly fiscal: FiscalPeriods,
  ) {
    // At-booking journals name their period to the ERP as a month: a fiscal calendar posts through period close.
    if (config.REVENUE_POSTING === 'at_booking' && fiscal.calendar !== 'calendar')
      throw new Error(
        `REVENUE_FISCAL_CALENDAR=${fiscal.calendar} needs REVENUE_POSTING=period_close: fiscal periods post at close`,
      );
  }

  /** The period a scheduled close at `at` closes: the tenant's period (month or fiscal period) just ended. */
  periodBefore(at: Date): string {
    return this.fiscal.previousKey(at);
  }

  async list(period: string): Promise<RevenueRunDto[]> {
    this.fiscal.period(period);
    const runs = await this.repository.runs(this.dataSource.manager, period);
    const journals = await this.repository.journals(
      this.dataSource.manager,
      runs.map((r) => r.run_id),
    );
    return runs.map((r) => view(r, journals));
  }

  async start(
    period: string,
    requestedBy: string,
    correlationId?: string,
  ): Promise<StartRevenueRunResultDto> {
    this.fiscal.period(period);
    if (this.config.REVENUE_POSTING !== 'period_close')
      throw new DomainError(
        409,
        'revenue is posted at booking (REVENUE_POSTING=at_booking): there is no revenue run to start',
      );
    return this.dataSource.transaction(async (manager) => {
      await this.repository.lock(manager);
      const runs = await this.repository.runs(manager);
      const posting = runs.find((r) => r.state === 'posting');
      if (posting?.period === period)
        return Object.assign(view(posting, await this.repository.journals(manager, [posting.run_id])), {
          resumed: true,
        });
      if (posting)
        throw new DomainError(
          409,
          `revenue run ${String(posting.sequence)} of ${posting.period} is still posting`,
        );
      const later = runs.filter((r) => r.period > period).at(-1);
      if (later)
        throw new DomainError(
          409,
          `${later.period} has a revenue run: a change to ${period} now posts in the open period's run`,
        );
      const sequence = Math.max(0, ...runs.filter((r) => r.period === period).map((r) => r.sequence)) + 1;
      const run = await this.post(manager, period, sequence, requestedBy, correlationId ?? randomUUID());
      return Object.assign(run, { resumed: false });
    });
  }

  private async post(
    manager: EntityManager,
    period: string,
    sequence: number,
    requestedBy: string,
    correlationId: string,
  ): Promise<RevenueRunDto> {
    await this.refuseOtherCalendars(manager);
    const { to } = this.fiscal.period(period);
    const plan = planRun({
      period,
      ...(this.fiscal.calendar === 'calendar' ? {} : { periodEnd: to }),
      sequence,
      mode: this.config.REVENUE_CLOSE_MODE,
      obligations: await this.repository.recognisedToDate(manager, period),
      billed: await this.repository.billedToDate(manager, to),
      posted: await this.repository.postedToDate(manager),
    });
    const run = await this.repository.insertRun(manager, {
      period,
      sequence,
      mode: this.config.REVENUE_CLOSE_MODE,
      state: plan.journals.length > 0 ? 'posting' : 'posted',
      requested_by: requestedBy,
      correlation_id: correlationId,
      contracts: new Set(plan.lines.map((l) => l.contractId)).size,
      lines: plan.lines.length,
    });
    await this.repository.insertJournals(manager, run.run_id, plan.journals);
    await this.repository.insertLines(manager, run.run_id, plan.lines);
    // A refused journal of an earlier run of the period is superseded: this run posts what it did not.
    await this.repository.supersedeRefusals(manager, period, run.sequence);
    for (const journal of plan.journals)
      await this.outbox.add(manager, 'erp.post-period-journal', journal.payload(), {
        idempotencyKey: commandKey(journal.externalId),
        correlationId,
      });
    const total = plan.journals.reduce((s, j) => s + j.debitMinor, 0n);
    await this.lineage.record(
      {
        system: 'revline',
        objectType: 'RevenueRun',
        externalId: `${period}:${String(sequence)}`,
        status: run.state,
        correlationId,
        detail: `${String(run.contracts)} contracts, ${String(plan.lines.length)} lines, ${String(plan.journals.length)} journals (${this.config.REVENUE_CLOSE_MODE}), debits ${total.toString()}`,
      },
      manager,
    );
    return view(run, await this.repository.journals(manager, [run.run_id]));
  }

  /**
   * A period's revenue-run standing for close readiness: its latest run, how many contract lines a run would post
   * now (changes since that run; none once a later period has a run, where they post instead), and the revenue the
   * period's runs posted (or are posting) by currency.
   */
  async standing(
    period: string,
  ): Promise<{ latest?: RevenueRunDto; pending: number; revenueByCurrency: Map<string, bigint> }> {
    const manager = this.dataSource.manager;
    const runs = await this.repository.runs(manager);
    const own = runs.filter((r) => r.period === period);
    const last = own.at(-1);
    const later = runs.some((r) => r.period > period);
    let pending = 0;
    // A period of another calendar than the setting's has no run to redo (runs are of the setting's periods).
    const range = this.fiscal.find(period);
    if (last && !later && range) {
      const plan = planRun({
        period,
        sequence: last.sequence + 1,
        mode: this.config.REVENUE_CLOSE_MODE,
        obligations: await this.repository.recognisedToDate(manager, period),
        billed: await this.repository.billedToDate(manager, range.to),
        posted: await this.repository.postedToDate(manager),
      });
      pending = plan.lines.length;
    }
    return {
      ...(last ? { latest: view(last, await this.repository.journals(manager, [last.run_id])) } : {}),
      pending,
      revenueByCurrency: new Map(
        (await this.repository.revenueByPeriod(manager, period))
          .filter((p) => p.period === period)
          .map((p) => [p.currency, p.revenue]),
      ),
    };
  }

  /**
   * A schedule or usage revenue stored under another fiscal calendar than the setting has periods of another kind
   * (the setting changed after they were stored): summing them with the others would post revenue to the wrong
   * periods, so the run is refused, naming them.
   */
  private async refuseOtherCalendars(manager: EntityManager): Promise<void> {
    const other = await this.repository.otherCalendars(manager, this.fiscal.calendar);
    const first = other.at(0);
    if (!first) return;
    throw new DomainError(
      409,
      `stored schedules are of another fiscal calendar than REVENUE_FISCAL_CALENDAR=${this.fiscal.calendar}: ` +
        `${other.map((o) => `${o.contractId} (${o.fiscalCalendar})`).join(', ')}; period close does not mix ` +
        'calendars: set REVENUE_FISCAL_CALENDAR back to the calendar they were stored on',
      undefined,
      { fiscalCalendar: this.fiscal.calendar, storedCalendar: first.fiscalCalendar },
    );
  }

  /** A run's contract-level lines as CSV: the detail behind its journals (a 404 when the period has no such run). */
  async linesCsv(period: string, runId: string): Promise<string> {
    this.fiscal.period(period);
    const run = await this.repository.run(this.dataSource.manager, runId);
    if (run?.period !== period) throw new DomainError(404, `No revenue run ${runId} of ${period}`);
    const rows = await this.repository.lines(this.dataSource.manager, runId);
    const csv = csvWriter();
    return csv.header(LINE_COLUMNS) + rows.map((r) => csv.row(LINE_COLUMNS, r)).join('');
  }

  /** The ERP posted a run's journal: the run is posted once all are. */
  async posted(manager: EntityManager, answer: ErpPostedPayload): Promise<void> {
    const externalId = externalIdOf(answer.commandIdempotencyKey);
    const run = await this.repository.journalPosted(manager, externalId, answer.erpId);
    await this.repository.resolveRefusal(manager, answer.commandIdempotencyKey);
    await this.lineage.record(
      {
        system: 'erp',
        objectType: 'periodJournal',
        externalId,
        status: 'posted',
        detail: answer.erpId ? `ERP id ${answer.erpId}` : null,
      },
      manager,
    );
    if (run)
      await this.lineage.record(
        {
          system: 'revline',
          objectType: 'RevenueRun',
          externalId: `${run.period}:${String(run.sequence)}`,
          status: 'posted',
          correlationId: run.correlation_id,
        },
        manager,
      );
  }

  /** The ERP refused a run's journal (a closed period): the run fails, and the workbench gets an exception naming it. */
  async rejected(manager: EntityManager, answer: ErpRejectedPayload): Promise<void> {
    const externalId = externalIdOf(answer.commandIdempotencyKey);
    const sent = await this.outbox.sent(manager, answer.commandIdempotencyKey);
    const period = sent?.job === 'erp.post-period-journal' ? (sent.payload as { period: string }).period : '';
    const reason =
      answer.category === 'closed_period'
        ? `the ERP has closed period ${period}: revenue journal ${externalId} was refused (${answer.message})`
        : `the ERP refused revenue journal ${externalId} of ${period}: ${answer.errorCode} ${answer.message}`;
    const run = await this.repository.journalRejected(manager, externalId, reason);
    await this.lineage.record(
      { system: 'erp', objectType: 'periodJournal', externalId, status: 'rejected', detail: reason },
      manager,
    );
    if (!sent) return;
    await this.exceptions.record(
      sent,
      {
        category: answer.category === 'closed_period' ? 'period_closed' : 'erp_rejected',
        reason,
        details: {
          system: 'erp',
          period,
          journal: externalId,
          ...(run ? { runId: run.run_id, runSequence: run.sequence } : {}),
          errorCode: answer.errorCode,
          vendorMessage: answer.message,
          ...(answer.category ? { errorCategory: answer.category } : {}),
        },
      },
      manager,
    );
  }
}
