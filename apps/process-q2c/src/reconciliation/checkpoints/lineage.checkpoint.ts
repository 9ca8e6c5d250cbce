import type { Checkpoint, RunContext } from './checkpoint';
import { select } from './checkpoint';

/**
 * Lineage: sagas open longer than their SLA (`saga_overdue`) and exceptions open longer than theirs
 * (`exception_overdue`), read where they live, in process-q2c's own tables.
 */
export class LineageCheckpoint implements Checkpoint {
  readonly name = 'lineage' as const;
  readonly periodBound = false;

  constructor(
    private readonly sagaSlaMinutes: number,
    private readonly exceptionSlaMinutes: number,
  ) {}

  async compare(ctx: RunContext): Promise<number> {
    await ctx.runner.query(
      `INSERT INTO "found"
        ("checkpoint", "category", "contract_id", "object_type", "object_id", "field", "expected", "actual",
         "difference", "correlation_id")
       SELECT 'lineage', 'saga_overdue', s."contract_id", 'Saga', s."saga_id"::text, 'openMinutes',
              $1::int::text, floor(extract(epoch FROM now() - s."started_at") / 60)::text,
              (floor(extract(epoch FROM now() - s."started_at") / 60) - $1::int)::text, s."correlation_id"
         FROM "q2c"."sagas" s
        WHERE s."completed_at" IS NULL AND s."status" NOT IN ('completed', 'failed', 'cancelled')
          AND s."started_at" < now() - make_interval(mins => $1::int)`,
      [this.sagaSlaMinutes],
    );
    await ctx.runner.query(
      `INSERT INTO "found"
        ("checkpoint", "category", "contract_id", "object_type", "object_id", "field", "expected", "actual",
         "difference", "correlation_id")
       SELECT 'lineage', 'exception_overdue', x."details"->>'contractId', 'Exception', x."id"::text, 'openMinutes',
              $1::int::text, floor(extract(epoch FROM now() - x."first_seen_at") / 60)::text,
              (floor(extract(epoch FROM now() - x."first_seen_at") / 60) - $1::int)::text, x."correlation_id"
         FROM "q2c"."exceptions" x
        WHERE x."status" IN ('open', 'retrying') AND x."first_seen_at" < now() - make_interval(mins => $1::int)`,
      [this.exceptionSlaMinutes],
    );
    const row = (
      await select<Array<{ n: number }>>(
        ctx.runner,
        `SELECT ((SELECT count(*) FROM "q2c"."sagas" WHERE "completed_at" IS NULL)
             + (SELECT count(*) FROM "q2c"."exceptions" WHERE "status" IN ('open', 'retrying')))::int AS n`,
      )
    ).at(0);
    return row?.n ?? 0;
  }
}
