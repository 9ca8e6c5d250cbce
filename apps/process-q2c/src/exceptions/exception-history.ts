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
        WHERE "target" = ANY($1) AND "action" IN ('exception.retry', 'exception.resolve')
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
