import { Injectable } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import type { RetentionTarget } from '@revline/messaging';
import { Retention } from '@revline/messaging';

/** Lineage hops, kept RETENTION_LINEAGE_DAYS after they were recorded. */
export const LINEAGE_RETENTION: RetentionTarget = {
  schema: 'q2c',
  table: 'lineage',
  column: 'recorded_at',
  days: (config) => config.RETENTION_LINEAGE_DAYS,
};

/** Registers the lineage with the app's retention. */
@Injectable()
export class LineageRetention implements OnModuleInit {
  constructor(private readonly retention: Retention) {}

  onModuleInit(): void {
    this.retention.register(LINEAGE_RETENTION);
  }
}
