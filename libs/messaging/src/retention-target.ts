import type { RetentionConfig } from '@revline/config';

/** A table pruned by retention: its rows go once `column` (a timestamp, indexed) is older than `days`. */
export interface RetentionTarget {
  schema: string;
  table: string;
  column: string;
  days: (config: RetentionConfig) => number;
}

/** The messaging tables of an app's schema: delivered outbox rows and inbox rows. */
export function messagingRetentionTargets(schema: string): RetentionTarget[] {
  return [
    // delivered_at < cutoff holds only for delivered rows: an undelivered row (null) is never pruned.
    { schema, table: 'outbox', column: 'delivered_at', days: (c) => c.RETENTION_OUTBOX_DAYS },
    { schema, table: 'inbox', column: 'processed_at', days: (c) => c.RETENTION_INBOX_DAYS },
  ];
}
