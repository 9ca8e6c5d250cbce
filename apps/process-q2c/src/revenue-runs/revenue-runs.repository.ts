import { Injectable } from '@nestjs/common';
import type { FiscalCalendar } from '@revline/revenue';
import { prepared } from '@revline/persistence';
import type { EntityManager } from 'typeorm';
import { ExceptionResolutions } from '../shared/exception-resolutions';
import type { CloseMode, ObligationToDate, PostedToDate, RunJournal, RunLine } from './revenue-run.plan';
import { contractKey } from './revenue-run.plan';

export type RunState = 'posting' | 'posted' | 'failed';

export interface RunRow {
  run_id: string;
  period: string;
  sequence: number;
  mode: CloseMode;
  state: RunState;
  requested_by: string;
  correlation_id: string;
  contracts: number;
  lines: number;
  reason: string | null;
  started_at: Date;
  finished_at: Date | null;
}

export interface JournalRow {
  external_id: string;
  run_id: string;
  subsidiary: string;
  currency: string;
  chunk: number;
  lines: number;
  debit_minor: string;
  status: 'sent' | 'posted' | 'rejected';
  erp_id: string | null;
  error: string | null;
}

/** A stored schedule: one obligation's latest version, every period. */
export interface StoredSchedule {
  contractId: string;
  obligationId: string;
  scheduleVersion: number;
  currency: string;
  subsidiary: string;
  productClass: string;
  /** The fiscal calendar its periods are of. */
  fiscalCalendar: FiscalCalendar;
  periods: ReadonlyArray<{ period: string; amountMinor: string }>;
}

/** A usage invoice's revenue for one contract obligation and period of use. */
export interface UsageRevenue {
  documentId: string;
  contractId: string;
  obligationId: string;
  period: string;
  /** The fiscal calendar `period` is of. */
  fiscalCalendar: FiscalCalendar;
  currency: string;
  subsidiary: string;
  productClass: string;
  amountMinor: bigint;
}

/**
 * The invoices and credit notes the sagas took in, each with its contract: the contract of the saga that consumed
 * it, or else of the saga that made its subscription (`kind`, `payload`, `contract_id`).
 */
export const CONTRACT_BILLING_DOCUMENTS = `
    SELECT d."kind", d."payload", d."document_id",
           COALESCE(s."contract_id", (SELECT s2."contract_id" FROM "q2c"."sagas" s2
                                       WHERE s2."data"->>'subscriptionId' = d."subscription_id" LIMIT 1)) AS contract_id
      FROM "q2c"."billing_documents" d LEFT JOIN "q2c"."sagas" s ON s."saga_id" = d."saga_id"
     WHERE d."kind" IN ('invoice', 'credit_note')`;

/**
 * Billed to date by contract and currency, less tax: the contract's invoices and credit notes issued on or before the
 * period end, credit notes negative, an invoice the billing platform voided on or before it taken back.
 */
const BILLED_TO_DATE = `
  WITH docs AS (
    SELECT * FROM (${CONTRACT_BILLING_DOCUMENTS}) c
     WHERE c."payload"->>'issuedOn' <= $1
       AND NOT EXISTS (SELECT 1 FROM "q2c"."voided_invoices" v
                        WHERE c."kind" = 'invoice' AND v."invoice_id" = c."payload"->>'documentId' AND v."voided_on" <= $1::date)
  )
  SELECT contract_id, upper("payload"->'total'->>'currency') AS currency,
         sum((CASE "kind" WHEN 'credit_note' THEN -1 ELSE 1 END)
             * (("payload"->'total'->>'amountMinor')::numeric - COALESCE(("payload"->'tax'->>'amountMinor')::numeric, 0)))::text AS billed
    FROM docs WHERE contract_id IS NOT NULL GROUP BY 1, 2`;

/**
 * Revenue recognised to the end of a period per contract obligation: its stored schedule's periods up to the period,
 * plus the usage revenue of months of use up to it.
 */
const RECOGNISED_TO_DATE = `
  WITH usage AS (
    SELECT "contract_id", "obligation_id", "currency", max("subsidiary") AS subsidiary,
           max("product_class") AS product_class, sum("amount_minor") AS amount
      FROM "q2c"."usage_revenue" WHERE "period" <= $1 GROUP BY 1, 2, 3),
  scheduled AS (
    SELECT s."contract_id", s."obligation_id", s."currency", s."subsidiary", s."product_class",
           (SELECT coalesce(sum((p->>'amountMinor')::bigint), 0) FROM jsonb_array_elements(s."periods") p
             WHERE p->>'period' <= $1) AS amount
      FROM "q2c"."revenue_schedules" s)
  SELECT coalesce(s."contract_id", u."contract_id") AS contract_id,
         coalesce(s."obligation_id", u."obligation_id") AS obligation_id,
         coalesce(s."currency", u."currency") AS currency,
         coalesce(s."subsidiary", u."subsidiary") AS subsidiary,
         coalesce(s."product_class", u."product_class") AS product_class,
         (coalesce(s."amount", 0) + coalesce(u."amount", 0))::text AS recognised
    FROM scheduled s FULL JOIN usage u
      ON u."contract_id" = s."contract_id" AND u."obligation_id" = s."obligation_id" AND u."currency" = s."currency"`;

/** The revenue runs' tables: stored schedules and usage revenue in, runs, journals and contract lines out. */
@Injectable()
export class RevenueRunsRepository {
  constructor(private readonly exceptions: ExceptionResolutions) {}

  /** Stores a contract's schedules as of a version: each obligation's row replaced unless a later version holds it. */
  async storeSchedules(manager: EntityManager, schedules: readonly StoredSchedule[]): Promise<void> {
    if (schedules.length === 0) return;
    await prepared(
      manager,
      `INSERT INTO "q2c"."revenue_schedules"
         ("contract_id", "obligation_id", "schedule_version", "currency", "subsidiary", "product_class", "periods",
          "fiscal_calendar")
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::jsonb[],
         $8::text[])
       ON CONFLICT ("contract_id", "obligation_id") DO UPDATE SET
         "schedule_version" = EXCLUDED."schedule_version", "currency" = EXCLUDED."currency",
         "subsidiary" = EXCLUDED."subsidiary", "product_class" = EXCLUDED."product_class",
         "periods" = EXCLUDED."periods", "fiscal_calendar" = EXCLUDED."fiscal_calendar", "updated_at" = now()
       WHERE "revenue_schedules"."schedule_version" <= EXCLUDED."schedule_version"`,
      [
        schedules.map((s) => s.contractId),
        schedules.map((s) => s.obligationId),
        schedules.map((s) => s.scheduleVersion),
        schedules.map((s) => s.currency),
        schedules.map((s) => s.subsidiary),
        schedules.map((s) => s.productClass),
        schedules.map((s) => JSON.stringify(s.periods)),
        schedules.map((s) => s.fiscalCalendar),
      ],
    );
  }

  /** Records a usage invoice's revenue by obligation and month of use (once per document: a replay adds nothing). */
  async storeUsageRevenue(manager: EntityManager, rows: readonly UsageRevenue[]): Promise<void> {
    if (rows.length === 0) return;
    await manager.query(
      `INSERT INTO "q2c"."usage_revenue" ("document_id", "contract_id", "obligation_id", "period", "currency",
         "subsidiary", "product_class", "amount_minor", "fiscal_calendar")
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
         $8::bigint[], $9::text[])
       ON CONFLICT DO NOTHING`,
      [
        rows.map((r) => r.documentId),
        rows.map((r) => r.contractId),
        rows.map((r) => r.obligationId),
        rows.map((r) => r.period),
        rows.map((r) => r.currency),
        rows.map((r) => r.subsidiary),
        rows.map((r) => r.productClass),
        rows.map((r) => r.amountMinor.toString()),
        rows.map((r) => r.fiscalCalendar),
      ],
    );
  }

  /**
   * The contracts whose stored schedules or usage revenue are of another fiscal calendar than `calendar` (stored
   * before the setting changed), at most `limit` of them, with the calendar they are of.
   */
  async otherCalendars(
    manager: EntityManager,
    calendar: FiscalCalendar,
    limit = 10,
  ): Promise<Array<{ contractId: string; fiscalCalendar: string }>> {
    const rows = await manager.query<Array<{ contract_id: string; fiscal_calendar: string }>>(
      `SELECT DISTINCT "contract_id", "fiscal_calendar" FROM (
         SELECT "contract_id", "fiscal_calendar" FROM "q2c"."revenue_schedules" WHERE "fiscal_calendar" <> $1
         UNION ALL
         SELECT "contract_id", "fiscal_calendar" FROM "q2c"."usage_revenue" WHERE "fiscal_calendar" <> $1) o
       ORDER BY 1, 2 LIMIT $2`,
      [calendar, limit],
    );
    return rows.map((r) => ({ contractId: r.contract_id, fiscalCalendar: r.fiscal_calendar }));
  }

  /** Serialises runs: one at a time, whatever the period, until the transaction ends. */
  async lock(manager: EntityManager): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('q2c.revenue-runs'))`);
  }

  /** The periods a revenue run has posted (closed to late usage). */
  async postedPeriods(manager: EntityManager): Promise<string[]> {
    const rows = await manager.query<Array<{ period: string }>>(
      `SELECT DISTINCT "period" FROM "q2c"."revenue_runs" WHERE "state" = 'posted'`,
    );
    return rows.map((r) => r.period);
  }

  async runs(manager: EntityManager, period?: string): Promise<RunRow[]> {
    return manager.query<RunRow[]>(
      `SELECT * FROM "q2c"."revenue_runs" WHERE ($1::text IS NULL OR "period" = $1) ORDER BY "period", "sequence"`,
      [period ?? null],
    );
  }

  async run(manager: EntityManager, runId: string): Promise<RunRow | undefined> {
    const rows = await manager.query<RunRow[]>(`SELECT * FROM "q2c"."revenue_runs" WHERE "run_id" = $1`, [
      runId,
    ]);
    return rows.at(0);
  }

  async journals(manager: EntityManager, runIds: readonly string[]): Promise<JournalRow[]> {
    return manager.query<JournalRow[]>(
      `SELECT "external_id", "run_id", "subsidiary", "currency", "chunk", "lines", "debit_minor"::text, "status",
              "erp_id", "error"
         FROM "q2c"."revenue_run_journals" WHERE "run_id" = ANY($1::uuid[]) ORDER BY "external_id"`,
      [runIds],
    );
  }

  async recognisedToDate(manager: EntityManager, period: string): Promise<ObligationToDate[]> {
    const rows = await manager.query<
      Array<{
        contract_id: string;
        obligation_id: string;
        currency: string;
        subsidiary: string;
        product_class: string;
        recognised: string;
      }>
    >(RECOGNISED_TO_DATE, [period]);
    return rows.map((r) => ({
      contractId: r.contract_id,
      obligationId: r.obligation_id,
      currency: r.currency,
      subsidiary: r.subsidiary,
      productClass: r.product_class,
      recognisedMinor: BigInt(r.recognised),
    }));
  }

  async billedToDate(manager: EntityManager, periodEnd: string): Promise<Map<string, bigint>> {
    const rows = await manager.query<Array<{ contract_id: string; currency: string; billed: string }>>(
      BILLED_TO_DATE,
      [periodEnd],
    );
    return new Map(rows.map((r) => [contractKey(r.contract_id, r.currency), BigInt(r.billed)]));
  }

  /** What the runs posted or are posting per contract obligation (lines of a refused journal left out). */
  async postedToDate(manager: EntityManager): Promise<Map<string, PostedToDate>> {
    const rows = await manager.query<
      Array<{ contract_id: string; obligation_id: string; revenue: string; unbilled: string }>
    >(
      `SELECT l."contract_id", l."obligation_id", sum(l."revenue_minor")::text AS revenue,
              sum(l."unbilled_minor")::text AS unbilled
         FROM "q2c"."revenue_run_lines" l
         LEFT JOIN "q2c"."revenue_run_journals" j ON j."external_id" = l."journal_external_id"
        WHERE j."status" IS DISTINCT FROM 'rejected'
        GROUP BY 1, 2`,
    );
    return new Map(
      rows.map((r) => [
        contractKey(r.contract_id, r.obligation_id),
        { revenueMinor: BigInt(r.revenue), unbilledMinor: BigInt(r.unbilled) },
      ]),
    );
  }

  async insertRun(
    manager: EntityManager,
    run: Pick<
      RunRow,
      'period' | 'sequence' | 'mode' | 'state' | 'requested_by' | 'correlation_id' | 'contracts' | 'lines'
    >,
  ): Promise<RunRow> {
    const rows = await manager.query<RunRow[]>(
      `INSERT INTO "q2c"."revenue_runs" ("period", "sequence", "mode", "state", "requested_by", "correlation_id",
         "contracts", "lines", "finished_at")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $4 = 'posting' THEN NULL ELSE now() END) RETURNING *`,
      [
        run.period,
        run.sequence,
        run.mode,
        run.state,
        run.requested_by,
        run.correlation_id,
        run.contracts,
        run.lines,
      ],
    );
    const row = rows.at(0);
    if (!row) throw new Error('revenue run not inserted');
    return row;
  }

  async insertJournals(
    manager: EntityManager,
    runId: string,
    journals: readonly RunJournal[],
  ): Promise<void> {
    if (journals.length === 0) return;
    await manager.query(
      `INSERT INTO "q2c"."revenue_run_journals"
         ("external_id", "run_id", "subsidiary", "currency", "chunk", "lines", "debit_minor", "status")
       SELECT u.*, 'sent' FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::int[], $6::int[], $7::bigint[]) u`,
      [
        journals.map((j) => j.externalId),
        journals.map(() => runId),
        journals.map((j) => j.subsidiary),
        journals.map((j) => j.currency),
        journals.map((j) => j.chunk),
        journals.map((j) => j.lines),
        journals.map((j) => j.debitMinor.toString()),
      ],
    );
  }

  async insertLines(manager: EntityManager, runId: string, lines: readonly RunLine[]): Promise<void> {
    for (let start = 0; start < lines.length; start += 20_000) {
      const slice = lines.slice(start, start + 20_000);
      await manager.query(
        `INSERT INTO "q2c"."revenue_run_lines" ("run_id", "contract_id", "obligation_id", "subsidiary", "currency",
           "product_class", "recognised_to_date_minor", "billed_to_date_minor", "revenue_minor", "unbilled_minor",
           "journal_external_id")
         SELECT $1, u.* FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[],
           $8::bigint[], $9::bigint[], $10::bigint[], $11::text[]) u`,
        [
          runId,
          slice.map((l) => l.contractId),
          slice.map((l) => l.obligationId),
          slice.map((l) => l.subsidiary),
          slice.map((l) => l.currency),
          slice.map((l) => l.productClass),
          slice.map((l) => l.recognisedToDateMinor.toString()),
          slice.map((l) => l.billedToDateMinor.toString()),
          slice.map((l) => l.revenueMinor.toString()),
          slice.map((l) => l.unbilledMinor.toString()),
          slice.map((l) => l.journalExternalId ?? null),
        ],
      );
    }
  }

  /** Marks a journal posted; the run is posted once none of its journals waits. Returns the run when it changed. */
  async journalPosted(
    manager: EntityManager,
    externalId: string,
    erpId: string,
  ): Promise<RunRow | undefined> {
    const rows = await manager.query<Array<{ run_id: string }>>(
      `WITH u AS (UPDATE "q2c"."revenue_run_journals" SET "status" = 'posted', "erp_id" = $2, "error" = NULL
                   WHERE "external_id" = $1 RETURNING "run_id")
       SELECT "run_id" FROM u`,
      [externalId, erpId || null],
    );
    const runId = rows.at(0)?.run_id;
    if (!runId) return undefined;
    const done = await manager.query<RunRow[]>(
      `WITH u AS (UPDATE "q2c"."revenue_runs" r SET "state" = 'posted', "reason" = NULL, "finished_at" = now()
                   WHERE r."run_id" = $1 AND r."state" <> 'posted'
                     AND NOT EXISTS (SELECT 1 FROM "q2c"."revenue_run_journals" j
                                      WHERE j."run_id" = r."run_id" AND j."status" <> 'posted')
                   RETURNING *)
       SELECT * FROM u`,
      [runId],
    );
    return done.at(0);
  }

  /** Marks a journal refused and its run failed, with the reason. */
  async journalRejected(
    manager: EntityManager,
    externalId: string,
    reason: string,
  ): Promise<RunRow | undefined> {
    const rows = await manager.query<Array<{ run_id: string }>>(
      `WITH u AS (UPDATE "q2c"."revenue_run_journals" SET "status" = 'rejected', "error" = $2
                   WHERE "external_id" = $1 AND "status" <> 'posted' RETURNING "run_id")
       SELECT "run_id" FROM u`,
      [externalId, reason],
    );
    const runId = rows.at(0)?.run_id;
    if (!runId) return undefined;
    const failed = await manager.query<RunRow[]>(
      `WITH u AS (UPDATE "q2c"."revenue_runs" SET "state" = 'failed', "reason" = $2, "finished_at" = now()
                   WHERE "run_id" = $1 RETURNING *)
       SELECT * FROM u`,
      [runId, reason],
    );
    return failed.at(0);
  }

  /** A run's contract lines, in contract order, for the CSV export. */
  async lines(
    manager: EntityManager,
    runId: string,
  ): Promise<
    Array<{
      contract_id: string;
      obligation_id: string;
      subsidiary: string;
      currency: string;
      product_class: string;
      recognised_to_date_minor: string;
      billed_to_date_minor: string;
      revenue_minor: string;
      unbilled_minor: string;
      journal_external_id: string | null;
    }>
  > {
    return manager.query(
      `SELECT "contract_id", "obligation_id", "subsidiary", "currency", "product_class",
              "recognised_to_date_minor"::text, "billed_to_date_minor"::text, "revenue_minor"::text,
              "unbilled_minor"::text, "journal_external_id"
         FROM "q2c"."revenue_run_lines" WHERE "run_id" = $1 ORDER BY "contract_id", "obligation_id"`,
      [runId],
    );
  }

  /** Resolves the open exceptions of refused journals of the period's earlier runs: a later run posts their lines. */
  async supersedeRefusals(manager: EntityManager, period: string, sequence: number): Promise<void> {
    const rows = await manager.query<Array<{ external_id: string }>>(
      `SELECT j."external_id" FROM "q2c"."revenue_run_journals" j JOIN "q2c"."revenue_runs" r ON r."run_id" = j."run_id"
        WHERE r."period" = $1 AND r."sequence" < $2::int AND j."status" = 'rejected'`,
      [period, String(sequence)],
    );
    await this.exceptions.jobSettled(
      manager,
      'erp.post-period-journal',
      rows.map((r) => `revenue-run:${r.external_id}`),
      `superseded by revenue run ${String(sequence)} of ${period}`,
    );
  }

  /** Resolves the exception of a run journal's refusal: its retry went through. */
  async resolveRefusal(manager: EntityManager, key: string): Promise<void> {
    await this.exceptions.jobSettled(manager, 'erp.post-period-journal', [key], 'posted on retry');
  }

  /**
   * The revenue the runs of each period up to `to` posted or are posting (lines of refused journals left out), by
   * period and currency, for one contract or all.
   */
  async revenueByPeriod(
    manager: EntityManager,
    to: string,
    contractId?: string,
  ): Promise<Array<{ period: string; currency: string; revenue: bigint }>> {
    const rows = await manager.query<Array<{ period: string; currency: string; revenue: string }>>(
      `SELECT r."period", l."currency", sum(l."revenue_minor")::text AS revenue
         FROM "q2c"."revenue_run_lines" l JOIN "q2c"."revenue_runs" r ON r."run_id" = l."run_id"
         LEFT JOIN "q2c"."revenue_run_journals" j ON j."external_id" = l."journal_external_id"
        WHERE r."period" <= $1 AND j."status" IS DISTINCT FROM 'rejected' AND ($2::text IS NULL OR l."contract_id" = $2)
        GROUP BY 1, 2`,
      [to, contractId ?? null],
    );
    return rows.map((r) => ({ period: r.period, currency: r.currency, revenue: BigInt(r.revenue) }));
  }
}
