import { Injectable } from '@nestjs/common';
import type { SystemExceptionClearedPayload, SystemExceptionRaisedPayload } from '@revline/messaging';
import type { EntityManager } from 'typeorm';

/** What a workbench row says of the system API exception it stands for. */
export interface ForwardedFrom {
  system: SystemExceptionRaisedPayload['system'];
  sourceExceptionId: string;
}

export function forwardedFrom(details: object): ForwardedFrom | null {
  const d = details as { forwardedFrom?: unknown; sourceExceptionId?: unknown };
  if (
    (d.forwardedFrom === 'billing' || d.forwardedFrom === 'erp' || d.forwardedFrom === 'salesforce') &&
    typeof d.sourceExceptionId === 'string'
  )
    return { system: d.forwardedFrom, sourceExceptionId: d.sourceExceptionId };
  return null;
}

/**
 * The workbench rows of the exceptions system APIs forwarded: one per system API exception (so one per
 * connection for a connection alert), keyed by the system and its job and key there. A message older than the
 * row (a lower occurrence) changes nothing, so raise and clear can arrive in any order.
 */
@Injectable()
export class ForwardedExceptions {
  async raise(manager: EntityManager, p: SystemExceptionRaisedPayload): Promise<void> {
    const details = {
      ...p.details,
      system: p.system,
      forwardedFrom: p.system,
      sourceExceptionId: p.sourceExceptionId,
    };
    const correlationId =
      typeof p.envelope.correlationId === 'string' ? p.envelope.correlationId : `${p.system}:${p.job}`;
    await manager.query(
      `INSERT INTO "q2c"."exceptions"
         ("category", "reason", "details", "queue", "job", "idempotency_key", "correlation_id", "envelope", "occurrences")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT ("job", "idempotency_key") DO UPDATE SET
         "category" = EXCLUDED."category", "reason" = EXCLUDED."reason", "details" = EXCLUDED."details",
         "envelope" = EXCLUDED."envelope", "occurrences" = EXCLUDED."occurrences", "status" = 'open',
         "last_seen_at" = now(), "resolved_at" = NULL, "resolution" = NULL
       WHERE "exceptions"."occurrences" < EXCLUDED."occurrences"
          OR ("exceptions"."occurrences" = EXCLUDED."occurrences" AND "exceptions"."status" <> 'resolved')`,
      [
        p.category,
        p.reason,
        JSON.stringify(details),
        p.queue,
        p.job,
        `${p.system}:${p.idempotencyKey}`,
        correlationId,
        JSON.stringify(p.envelope),
        p.occurrences,
      ],
    );
  }

  async clear(manager: EntityManager, p: SystemExceptionClearedPayload): Promise<void> {
    await manager.query(
      `UPDATE "q2c"."exceptions" SET "status" = 'resolved', "resolved_at" = now(), "resolution" = $4
        WHERE "details"->>'forwardedFrom' = $1 AND "details"->>'sourceExceptionId' = $2
          AND "occurrences" <= $3 AND "status" <> 'resolved'`,
      [p.system, p.sourceExceptionId, p.occurrences, `${p.resolution} (${p.system})`],
    );
  }
}
