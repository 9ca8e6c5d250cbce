import type { QueryRunner } from 'typeorm';
import type { CheckpointTally } from './reconciliation.entities';
import type { Checkpoint, RunSubject } from './checkpoints/checkpoint';
import { select } from './checkpoints/checkpoint';

const KEY = `b."checkpoint" = f."checkpoint" AND b."category" = f."category" AND b."object_type" = f."object_type"
  AND b."object_id" = f."object_id" AND b."field" = f."field"`;

/**
 * Files what a checkpoint found against the open breaks, set-wise: a break seen again keeps its first run and takes
 * the new values; a new one opens with this run as its first; an open break of this checkpoint (and, when the
 * checkpoint is period-bound, of this period; and, for a run limited to a contract or a customer, of theirs) that
 * the run no longer found is closed by it.
 */
export async function fileBreaks(
  runner: QueryRunner,
  checkpoint: Checkpoint,
  runId: string,
  period: string,
  compared: number,
  subject: RunSubject,
): Promise<CheckpointTally> {
  const name = checkpoint.name;
  const seen = await select<Array<{ n: number }>>(
    runner,
    `WITH u AS (UPDATE "q2c"."reconciliation_breaks" b
        SET "last_run_id" = $2, "expected" = f."expected", "actual" = f."actual", "difference" = f."difference",
            "correlation_id" = coalesce(f."correlation_id", b."correlation_id"),
            "contract_id" = coalesce(f."contract_id", b."contract_id"),
            "currency" = coalesce(f."currency", b."currency"), "customer_id" = coalesce(f."customer_id", b."customer_id"),
            "unit" = coalesce(f."unit", b."unit"), "expected_source_id" = f."expected_source_id",
            "actual_source_id" = f."actual_source_id", "changed_side" = f."changed_side"
       FROM "found" f
      WHERE f."checkpoint" = $1 AND b."status" = 'open' AND ${KEY} RETURNING 1)
     SELECT count(*)::int AS n FROM u`,
    [name, runId],
  );
  const opened = await select<Array<{ n: number }>>(
    runner,
    `WITH i AS (INSERT INTO "q2c"."reconciliation_breaks"
        ("break_id", "checkpoint", "category", "period", "contract_id", "object_type", "object_id", "field",
         "expected", "actual", "difference", "correlation_id", "currency", "customer_id", "unit",
         "expected_source_id", "actual_source_id", "changed_side", "first_run_id", "last_run_id", "status")
      SELECT gen_random_uuid(), f."checkpoint", f."category", f."period", f."contract_id", f."object_type",
             f."object_id", f."field", f."expected", f."actual", f."difference", f."correlation_id", f."currency",
             f."customer_id", coalesce(f."unit", 'money'), f."expected_source_id", f."actual_source_id",
             f."changed_side", $2, $2, 'open'
        FROM (SELECT DISTINCT ON ("category", "object_type", "object_id", "field") * FROM "found"
               WHERE "checkpoint" = $1 ORDER BY "category", "object_type", "object_id", "field") f
       WHERE NOT EXISTS (SELECT 1 FROM "q2c"."reconciliation_breaks" b WHERE b."status" = 'open' AND ${KEY})
      RETURNING 1)
     SELECT count(*)::int AS n FROM i`,
    [name, runId],
  );
  const closed = await select<Array<{ n: number }>>(
    runner,
    `WITH c AS (UPDATE "q2c"."reconciliation_breaks" b
        SET "status" = 'closed', "closed_at" = now(), "closed_by_run_id" = $2
      WHERE b."checkpoint" = $1 AND b."status" = 'open' AND b."last_run_id" <> $2
        AND ($3::text IS NULL OR b."period" = $3)
        AND ($4::text IS NULL OR b."contract_id" = $4) AND ($5::text IS NULL OR b."customer_id" = $5)
      RETURNING 1)
     SELECT count(*)::int AS n FROM c`,
    [name, runId, checkpoint.periodBound ? period : null, subject.contractId, subject.customerId],
  );
  return {
    checkpoint: name,
    compared,
    opened: opened[0]?.n ?? 0,
    stillOpen: seen[0]?.n ?? 0,
    closed: closed[0]?.n ?? 0,
  };
}
