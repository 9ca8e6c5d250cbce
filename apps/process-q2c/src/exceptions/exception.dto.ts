import type { ExceptionDto, ExceptionHistoryEntryDto } from '@revline/finance-api';
import { systemOfQueue } from '@revline/finance-api';
import type { ExceptionEntity } from '@revline/messaging';

export function contractIdOf(row: Pick<ExceptionEntity, 'details'>): string | null {
  const details = row.details as { contractId?: unknown };
  if (typeof details.contractId === 'string') return details.contractId;
  return null;
}

export function toExceptionDto(
  row: Omit<ExceptionEntity, 'envelope'>,
  history: ExceptionHistoryEntryDto[],
  now = Date.now(),
): ExceptionDto {
  return {
    id: row.id,
    category: row.category,
    reason: row.reason,
    status: row.status,
    contractId: contractIdOf(row),
    job: row.job,
    queue: row.queue,
    system: systemOfQueue(row.queue),
    correlationId: row.correlationId,
    occurrences: row.occurrences,
    firstSeenAt: row.firstSeenAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    ageMinutes: Math.floor((now - row.firstSeenAt.getTime()) / 60_000),
    resolvedAt: row.resolvedAt ? row.resolvedAt.toISOString() : null,
    resolution: row.resolution,
    details: row.details,
    history,
  };
}
