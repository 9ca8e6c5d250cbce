import { Injectable } from '@nestjs/common';
import type { ExceptionHistoryEntryDto } from '@revline/finance-api';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';

interface HistoryRow {
  target: string;
  at: Date;
  actor: string;
  action: string;
  note: string | null;
}

const targetOf = (id: string): string => `exception:${id}`;

const ACTIONS = `'exception.retry', 'exception.resolve'`;

/**
 * The history of the exception whose id is `id` (SQL), as a JSON array of ExceptionHistoryEntryDto, oldest first:
 * for a statement that reads it beside the exception (the list's). Times as toISOString() writes them.
 */
export const HISTORY_OF = (id: string): string => `(
  SELECT coalesce(json_agg(json_build_object(
           'at', to_char(a."at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'actor', a."actor",
           'action', a."action", 'note', a."after"->>'reason') ORDER BY a."id"), '[]'::json)
    FROM "platform"."audit_log" a
   WHERE a."target" = 'exception:' || ${id} AND a."action" IN (${ACTIONS}))`;

/** Who retried or resolved each exception and when, read from the audit log by target (one query for a page). */
@Injectable()
export class ExceptionHistory {
  constructor(private readonly dataSource: DataSource) {}

  async of(
    ids: readonly string[],
    manager?: EntityManager,
  ): Promise<Map<string, ExceptionHistoryEntryDto[]>> {
    const byId = new Map<string, ExceptionHistoryEntryDto[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return byId;
    const rows = await (manager ?? this.dataSource.manager).query<HistoryRow[]>(
      `SELECT "target", "at", "actor", "action", "after"->>'reason' AS note
         FROM "platform"."audit_log"
        WHERE "target" = ANY($1) AND "action" IN (${ACTIONS})
        ORDER BY "target", "id"`,
      [ids.map(targetOf)],
    );
    for (const row of rows)
      byId.get(row.target.slice(targetOf('').length))?.push({
        at: row.at.toISOString(),
        actor: row.actor,
        action: row.action,
        note: row.note,
      });
    return byId;
  }
}
