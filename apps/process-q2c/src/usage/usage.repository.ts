import { Injectable } from '@nestjs/common';
import type { PeriodRange } from '@revline/revenue';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import type { EntityManager, QueryResult, QueryRunner } from 'typeorm';
import type { UsageReject, UsageRow } from './parse-usage';

export type IngestionState = 'running' | 'applied' | 'rejected' | 'failed';
export type IngestionMode = 'whole' | 'partial';

export interface IngestionRow {
  ingestion_id: string;
  mode: IngestionMode;
  state: IngestionState;
  content_type: string;
  requested_by: string;
  lines_read: string;
  accepted: string;
  duplicates: string;
  rejected: string;
  parked: string;
  rejects: UsageReject[];
  detail: string | null;
  started_at: Date;
  finished_at: Date | null;
}

export interface IngestionFigures {
  linesRead: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Events kept for their contract's booking (USAGE_UNKNOWN_CONTRACT=park). */
  parked?: number;
  rejects: readonly UsageReject[];
  detail?: string;
}

export interface StagedRejects {
  total: number;
  /** Every reject is a late event (its period's revenue run has posted). */
  allPeriodClosed: boolean;
  first: UsageReject[];
}

export interface CommandRows {
  command_key: string;
  customer_id: string;
  product_code: string;
  correlation_id: string;
  /** Usage events the command sums up. */
  events: number;
  /** JSON text: UsageDay[] in day order. */
  days: string;
}

/** One COPY text field: a backslash doubled (the fields hold no tab, newline or carriage return: checked before). */
const field = (value: string): string => (value.includes('\\') ? value.replace(/\\/g, '\\\\') : value);

/** A staged event as a line of COPY text. */
export const copyLine = (line: number, row: UsageRow): string =>
  `${String(line)}\t${row.identifier}\t${field(row.contractId)}\t${field(row.productCode)}\t${row.quantity}\t${row.occurredAt}\n`;

/**
 * Usage ingestion's SQL: the per-request staging area (temporary tables of the request's transaction, dropped at its
 * end), the checks against contracts, catalogue and closed periods, the move into q2c.usage_events, and the
 * ingestion records.
 */
@Injectable()
export class UsageRepository {
  constructor(private readonly dataSource: DataSource) {}

  async createStage(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TEMPORARY TABLE "usage_stage" ("line" bigint NOT NULL, "identifier" text NOT NULL,
      "contract_id" text NOT NULL, "product_code" text NOT NULL, "quantity" numeric NOT NULL,
      "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL) ON COMMIT DROP`);
    await runner.query(`CREATE TEMPORARY TABLE "usage_stage_rejects" ("line" bigint PRIMARY KEY, "field" text NOT NULL,
      "problem" text NOT NULL, "period_closed" boolean NOT NULL) ON COMMIT DROP`);
    await runner.query(`CREATE TEMPORARY TABLE "usage_stage_contracts" ("contract_id" text PRIMARY KEY,
      "customer_id" text NOT NULL, "correlation_id" text NOT NULL) ON COMMIT DROP`);
    await runner.query(`CREATE TEMPORARY TABLE "usage_stage_days" ("contract_id" text NOT NULL,
      "product_code" text NOT NULL, "day" date NOT NULL, "customer_id" text NOT NULL, "command_key" text NOT NULL,
      PRIMARY KEY ("contract_id", "product_code", "day")) ON COMMIT DROP`);
    await runner.query(`CREATE TEMPORARY TABLE "usage_stage_applied" ("command_key" text NOT NULL,
      "contract_id" text NOT NULL, "product_code" text NOT NULL, "day" date NOT NULL, "events" integer NOT NULL,
      "quantity" numeric NOT NULL, "latest" TIMESTAMP WITH TIME ZONE NOT NULL) ON COMMIT DROP`);
  }

  /** A COPY into the staging table on the runner's connection (inside its transaction). */
  async copyIntoStage(runner: QueryRunner): Promise<Writable> {
    const client = (await runner.connect()) as PoolClient;
    return client.query(
      copyFrom(
        `COPY "usage_stage" ("line", "identifier", "contract_id", "product_code", "quantity", "occurred_at") FROM STDIN`,
      ),
    );
  }

  /**
   * Marks the staged lines that cannot be applied, one reason a line (the first in this order): a repeat of an
   * earlier line's identifier with other values, a contract with no billing customer, a product not in the
   * catalogue or not metered, a day (UTC) of a period whose revenue run has posted (`closed`: the tenant's periods,
   * calendar months or fiscal periods, each with its first and last day). With `parkUnknown`, a contract with no
   * billing customer is no reason: such lines are parked instead (parkUnknown).
   */
  async markRejects(
    runner: QueryRunner,
    closed: readonly PeriodRange[],
    catalogue: readonly string[],
    metered: readonly string[],
    limit: number,
    parkUnknown = false,
  ): Promise<StagedRejects> {
    await runner.query(`CREATE INDEX ON "usage_stage" ("identifier", "line")`);
    await runner.query(`ANALYZE "usage_stage"`);
    await runner.query(`INSERT INTO "usage_stage_contracts" ("contract_id", "customer_id", "correlation_id")
      SELECT DISTINCT ON ("contract_id") "contract_id", "data"->>'billingCustomerId', "correlation_id"
        FROM "q2c"."sagas" WHERE "contract_id" IN (SELECT DISTINCT "contract_id" FROM "usage_stage")
         AND "data" ? 'billingCustomerId'
       ORDER BY "contract_id", "saga_id"`);
    await runner.query(
      `WITH "firsts" AS (
         SELECT DISTINCT ON ("identifier") * FROM "usage_stage" ORDER BY "identifier", "line"),
       "found" AS (
         SELECT s."line", 1 AS "rank", 'identifier' AS "field", false AS "period_closed",
                format('repeats %s of line %s with other values', s."identifier", f."line") AS "problem"
           FROM "usage_stage" s JOIN "firsts" f USING ("identifier")
          WHERE s."line" <> f."line" AND (s."contract_id", s."product_code", s."quantity", s."occurred_at")
                IS DISTINCT FROM (f."contract_id", f."product_code", f."quantity", f."occurred_at")
         UNION ALL
         SELECT s."line", 2, 'contractId', false, format('%s is not a contract with a billing customer', s."contract_id")
           FROM "usage_stage" s
          WHERE NOT $6::boolean
            AND NOT EXISTS (SELECT 1 FROM "usage_stage_contracts" c WHERE c."contract_id" = s."contract_id")
         UNION ALL
         SELECT s."line", 3, 'productCode', false,
                format(CASE WHEN s."product_code" = ANY($1::text[]) THEN '%s is not a usage product'
                            ELSE '%s is not in the product catalogue' END, s."product_code")
           FROM "usage_stage" s WHERE s."product_code" <> ALL($2::text[])
         UNION ALL
         SELECT s."line", 4, 'occurredAt', true,
                format('falls in %s, a period whose revenue run has posted', c."period")
           FROM "usage_stage" s
           JOIN unnest($3::text[], $4::date[], $5::date[]) AS c("period", "first_day", "last_day")
             ON (s."occurred_at" AT TIME ZONE 'UTC')::date BETWEEN c."first_day" AND c."last_day")
       INSERT INTO "usage_stage_rejects" ("line", "field", "problem", "period_closed")
       SELECT DISTINCT ON ("line") "line", "field", "problem", "period_closed" FROM "found" ORDER BY "line", "rank"`,
      [
        catalogue,
        metered,
        closed.map((p) => p.key),
        closed.map((p) => p.from),
        closed.map((p) => p.to),
        parkUnknown,
      ],
    );
    const [summary] = await runner.manager.query<Array<{ total: number; closed: boolean | null }>>(
      `SELECT count(*)::int AS "total", bool_and("period_closed") AS "closed" FROM "usage_stage_rejects"`,
    );
    const first = await runner.manager.query<Array<{ line: string; field: string; problem: string }>>(
      `SELECT "line", "field", "problem" FROM "usage_stage_rejects" ORDER BY "line" LIMIT $1`,
      [limit],
    );
    return {
      total: summary.total,
      allPeriodClosed: summary.closed === true,
      first: first.map((r) => ({ line: Number(r.line), field: r.field, problem: r.problem })),
    };
  }

  /** Serialises the moves of concurrent ingestions, so that "not staged before" holds until the commit. */
  async lockApply(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_xact_lock(hashtext('q2c.usage-apply'))`);
  }

  /**
   * Moves the staged lines not rejected into q2c.usage_events, once per identifier (its first line), each with the
   * key of the billing command that reports it: per customer and meter (the product code, lower case, `-` as `_`:
   * meterEventNameOf) and `days` UTC days of use of the ingestion, keyed by the group, the ingestion and the chunk's
   * number (an ingestion applies once, so no other command has its key). The keys are given per contract, product
   * and day first (a few rows), so the move itself inserts in identifier order without sorting its rows again. A
   * line whose identifier is stored already is left out (under lockApply, so nothing else inserts meanwhile). What
   * the move wrote is kept summed per command, contract, product and day (usage_stage_applied) for the commands
   * and the lineage, and added to the stored day sums (usage_days) the usage invoices read. `rejects`: whether
   * markRejects marked any line. Returns how many were written.
   */
  async apply(runner: QueryRunner, ingestionId: string, days: number, rejects: boolean): Promise<number> {
    // Without rejects (a whole upload that applies), no line needs looking up among them.
    const kept = rejects
      ? `NOT EXISTS (SELECT 1 FROM "usage_stage_rejects" r WHERE r."line" = s."line")`
      : 'true';
    await runner.query(
      `WITH "used" AS (
         SELECT DISTINCT s."contract_id", s."product_code", (s."occurred_at" AT TIME ZONE 'UTC')::date AS "day"
           FROM "usage_stage" s WHERE ${kept}),
       "grouped" AS (
         SELECT u.*, c."customer_id",
                'usage:' || c."customer_id" || ':' || replace(lower(u."product_code"), '-', '_') AS "grp"
           FROM "used" u JOIN "usage_stage_contracts" c USING ("contract_id"))
       INSERT INTO "usage_stage_days" ("contract_id", "product_code", "day", "customer_id", "command_key")
       SELECT g."contract_id", g."product_code", g."day", g."customer_id",
              g."grp" || ':' || $1::text || ':' || (dense_rank() OVER (PARTITION BY g."grp" ORDER BY g."day") - 1) / $2
         FROM "grouped" g`,
      [ingestionId, days],
    );
    await runner.query(`ANALYZE "usage_stage_days"`);
    await runner.query(
      `WITH "fresh" AS (
         SELECT DISTINCT ON (s."identifier") s.*
           FROM "usage_stage" s
          WHERE ${kept}
            -- OFFSET 0: a probe of the primary key per line, never a scan of every stored event.
            AND NOT EXISTS (SELECT 1 FROM "q2c"."usage_events" e WHERE e."identifier" = s."identifier" OFFSET 0)
          ORDER BY s."identifier", s."line"),
       "moved" AS (
         INSERT INTO "q2c"."usage_events" ("identifier", "contract_id", "customer_id", "product_code", "quantity",
           "occurred_at", "command_key", "ingestion_id")
         SELECT f."identifier", f."contract_id", d."customer_id", f."product_code", f."quantity", f."occurred_at",
                d."command_key", $1::uuid
           FROM "fresh" f
           JOIN "usage_stage_days" d ON d."contract_id" = f."contract_id" AND d."product_code" = f."product_code"
            AND d."day" = (f."occurred_at" AT TIME ZONE 'UTC')::date
         RETURNING "contract_id", "product_code", "occurred_at", "quantity"),
       "summed" AS (
         SELECT "contract_id", "product_code", ("occurred_at" AT TIME ZONE 'UTC')::date AS "day", count(*) AS "events",
                sum("quantity") AS "quantity", max("occurred_at") AS "latest"
           FROM "moved" GROUP BY 1, 2, 3)
       INSERT INTO "usage_stage_applied" ("command_key", "contract_id", "product_code", "day", "events", "quantity",
         "latest")
       SELECT d."command_key", m."contract_id", m."product_code", m."day", m."events", m."quantity", m."latest"
         FROM "summed" m JOIN "usage_stage_days" d USING ("contract_id", "product_code", "day")`,
      [ingestionId],
    );
    // The move's day sums are added to the stored ones (usage_days) as they are counted.
    const [row] = await runner.manager.query<Array<{ n: number }>>(
      `WITH "added" AS (
         INSERT INTO "q2c"."usage_days" ("contract_id", "customer_id", "product_code", "day", "quantity", "events")
         SELECT a."contract_id", d."customer_id", a."product_code", a."day", a."quantity", a."events"
           FROM "usage_stage_applied" a JOIN "usage_stage_days" d USING ("contract_id", "product_code", "day")
         ON CONFLICT ("contract_id", "customer_id", "product_code", "day") DO UPDATE
           SET "quantity" = "usage_days"."quantity" + excluded."quantity",
               "events" = "usage_days"."events" + excluded."events")
       SELECT coalesce(sum("events"), 0)::int AS "n" FROM "usage_stage_applied"`,
    );
    return row.n;
  }

  /**
   * Parks the staged lines not rejected whose contract has no billing customer yet, once per identifier (its first
   * line), leaving out identifiers applied or parked before. Returns how many were parked.
   */
  async parkUnknown(runner: QueryRunner, ingestionId: string): Promise<number> {
    const result: QueryResult = await runner.query(
      `INSERT INTO "q2c"."parked_usage" ("identifier", "contract_id", "product_code", "quantity", "occurred_at",
         "ingestion_id")
       SELECT DISTINCT ON (s."identifier") s."identifier", s."contract_id", s."product_code", s."quantity",
              s."occurred_at", $1::uuid
         FROM "usage_stage" s
        WHERE NOT EXISTS (SELECT 1 FROM "usage_stage_contracts" c WHERE c."contract_id" = s."contract_id")
          AND NOT EXISTS (SELECT 1 FROM "usage_stage_rejects" r WHERE r."line" = s."line")
          AND NOT EXISTS (SELECT 1 FROM "q2c"."usage_events" e WHERE e."identifier" = s."identifier")
        ORDER BY s."identifier", s."line"
       ON CONFLICT ("identifier") DO NOTHING`,
      [ingestionId],
      true,
    );
    return result.affected ?? 0;
  }

  /** Contracts with parked usage whose booking has completed with a billing customer: theirs can be ingested now. */
  async bookedWithParkedUsage(limit: number): Promise<string[]> {
    const rows = await this.dataSource.query<Array<{ contract_id: string }>>(
      `SELECT DISTINCT p."contract_id" FROM "q2c"."parked_usage" p
        WHERE EXISTS (SELECT 1 FROM "q2c"."sagas" s
                       WHERE s."contract_id" = p."contract_id" AND s."kind" = 'booking'
                         AND s."status" = 'completed' AND s."data" ? 'billingCustomerId')
        LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.contract_id);
  }

  /** A contract's parked usage, `limit` events in identifier order. */
  async parkedOf(contractId: string, limit: number): Promise<UsageRow[]> {
    const rows = await this.dataSource.query<
      Array<{ identifier: string; product_code: string; quantity: string; occurred_at: Date }>
    >(
      `SELECT "identifier", "product_code", "quantity"::text AS "quantity", "occurred_at" FROM "q2c"."parked_usage"
        WHERE "contract_id" = $1 ORDER BY "identifier" LIMIT $2`,
      [contractId, limit],
    );
    return rows.map((r) => ({
      identifier: r.identifier,
      contractId,
      productCode: r.product_code,
      quantity: r.quantity,
      occurredAt: r.occurred_at.toISOString(),
    }));
  }

  async unpark(identifiers: readonly string[]): Promise<void> {
    await this.dataSource.query(`DELETE FROM "q2c"."parked_usage" WHERE "identifier" = ANY($1::text[])`, [
      identifiers,
    ]);
  }

  /** What waits for its contract's booking, per contract: events, and the oldest parked and occurred times. */
  async parkedSummary(
    limit: number,
  ): Promise<Array<{ contract_id: string; events: number; first_parked_at: Date; first_occurred_at: Date }>> {
    return this.dataSource.query(
      `SELECT "contract_id", count(*)::int AS "events", min("parked_at") AS "first_parked_at",
              min("occurred_at") AS "first_occurred_at"
         FROM "q2c"."parked_usage" GROUP BY "contract_id" ORDER BY min("parked_at"), "contract_id" LIMIT $1`,
      [limit],
    );
  }

  async stagedLines(runner: QueryRunner): Promise<number> {
    const [row] = await runner.manager.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS "n" FROM "usage_stage"`,
    );
    return row.n;
  }

  /**
   * The ingestion's billing commands after `after` (by key), `limit` at a time, each with its usage per UTC day of
   * use as JSON text: the day, the summed quantity (numeric: exact) and the day's latest occurred_at (from what
   * apply wrote).
   */
  async commands(runner: QueryRunner, after: string, limit: number): Promise<CommandRows[]> {
    return runner.manager.query<CommandRows[]>(
      `WITH "keys" AS (
         SELECT DISTINCT "command_key" FROM "usage_stage_applied"
          WHERE "command_key" > $1 ORDER BY "command_key" LIMIT $2),
       "days" AS (
         SELECT a."command_key", c."customer_id", a."product_code", min(c."correlation_id") AS "correlation_id",
                to_char(a."day", 'YYYY-MM-DD') AS "day", sum(a."events")::int AS "events",
                sum(a."quantity")::text AS "quantity",
                to_char(max(a."latest") AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "latest"
           FROM "usage_stage_applied" a JOIN "usage_stage_contracts" c USING ("contract_id")
          WHERE a."command_key" IN (SELECT "command_key" FROM "keys")
          GROUP BY a."command_key", c."customer_id", a."product_code", a."day")
       SELECT "command_key", min("customer_id") AS "customer_id", min("product_code") AS "product_code",
              min("correlation_id") AS "correlation_id", sum("events")::int AS "events",
              json_agg(json_build_object('day', "day", 'quantity', "quantity", 'latest', "latest")
                ORDER BY "day")::text AS "days"
         FROM "days" GROUP BY "command_key" ORDER BY "command_key"`,
      [after, limit],
    );
  }

  /** Events the ingestion wrote per contract, with the contract's correlation id. */
  async perContract(
    runner: QueryRunner,
  ): Promise<Array<{ contract_id: string; events: number; correlation_id: string }>> {
    return runner.manager.query(
      `SELECT a."contract_id", sum(a."events")::int AS "events", min(c."correlation_id") AS "correlation_id"
         FROM "usage_stage_applied" a JOIN "usage_stage_contracts" c USING ("contract_id")
        GROUP BY a."contract_id" ORDER BY a."contract_id"`,
    );
  }

  async createIngestion(
    id: string,
    mode: IngestionMode,
    contentType: string,
    requestedBy: string,
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO "q2c"."usage_ingestions" ("ingestion_id", "mode", "state", "content_type", "requested_by")
       VALUES ($1, $2, 'running', $3, $4)`,
      [id, mode, contentType, requestedBy],
    );
  }

  /** Progress of a running ingestion, outside its transaction so that a reader sees it at once. */
  async progress(id: string, linesRead: number, rejected: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE "q2c"."usage_ingestions" SET "lines_read" = $2, "rejected" = $3 WHERE "ingestion_id" = $1`,
      [id, linesRead, rejected],
    );
  }

  async finishIngestion(
    id: string,
    state: Exclude<IngestionState, 'running'>,
    figures: IngestionFigures,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    await manager.query(
      `UPDATE "q2c"."usage_ingestions" SET "state" = $2, "lines_read" = $3, "accepted" = $4, "duplicates" = $5,
              "rejected" = $6, "rejects" = $7::jsonb, "detail" = $8, "parked" = $9, "finished_at" = now()
        WHERE "ingestion_id" = $1`,
      [
        id,
        state,
        figures.linesRead,
        figures.accepted,
        figures.duplicates,
        figures.rejected,
        JSON.stringify(figures.rejects),
        figures.detail ?? null,
        figures.parked ?? 0,
      ],
    );
  }

  async ingestion(id: string): Promise<IngestionRow | undefined> {
    const rows = await this.dataSource.query<IngestionRow[]>(
      `SELECT * FROM "q2c"."usage_ingestions" WHERE "ingestion_id" = $1`,
      [id],
    );
    return rows.at(0);
  }
}
