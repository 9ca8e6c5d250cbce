import { Injectable } from '@nestjs/common';
import { ExceptionEntity } from '@revline/messaging';
import { DataSource } from 'typeorm';
import { ListContracts } from '../contracts/list-contracts.query';

/**
 * The age buckets of open exceptions, each the `minAgeMinutes`/`maxAgeMinutes` filter of GET /v1/exceptions that
 * lists it (the same conditions on first_seen_at).
 */
export const AGE_BUCKETS = {
  lt1h: { maxAgeMinutes: 60 },
  lt24h: { minAgeMinutes: 60, maxAgeMinutes: 1440 },
  lt7d: { minAgeMinutes: 1440, maxAgeMinutes: 10_080 },
  gte7d: { minAgeMinutes: 10_080 },
} as const;
export type AgeBucket = keyof typeof AGE_BUCKETS;

export interface OverviewCounts {
  syncHealth: { inFlight: number; parked: number; failed: number };
  exceptionsByCategory: Array<{ category: string; open: number; ageBuckets: Record<AgeBucket, number> }>;
}

function bucketCondition(bucket: { minAgeMinutes?: number; maxAgeMinutes?: number }): string {
  const parts: string[] = [];
  if (bucket.minAgeMinutes !== undefined)
    parts.push(`e.first_seen_at <= now() - make_interval(mins => ${String(bucket.minAgeMinutes)})`);
  if (bucket.maxAgeMinutes !== undefined)
    parts.push(`e.first_seen_at >= now() - make_interval(mins => ${String(bucket.maxAgeMinutes)})`);
  return parts.join(' AND ');
}

/**
 * The overview's counts, each the size of a list the console links it to: contracts in flight, parked and failed
 * (GET /v1/contracts?status=), open exceptions per category (GET /v1/exceptions?status=open&category=) and per age
 * bucket (with the bucket's age filters).
 */
@Injectable()
export class OverviewCountsQuery {
  constructor(
    private readonly dataSource: DataSource,
    private readonly contracts: ListContracts,
  ) {}

  async execute(): Promise<OverviewCounts> {
    const buckets = Object.entries(AGE_BUCKETS) as Array<[AgeBucket, (typeof AGE_BUCKETS)[AgeBucket]]>;
    const [statuses, rows] = await Promise.all([
      this.contracts.countByStatus(['in_flight', 'parked', 'failed'] as const),
      this.dataSource
        .getRepository(ExceptionEntity)
        .createQueryBuilder('e')
        .select('e.category', 'category')
        .addSelect('count(*)::int', 'open')
        .addSelect(
          buckets.map(
            ([name, bucket]) => `count(*) FILTER (WHERE ${bucketCondition(bucket)})::int AS "${name}"`,
          ),
        )
        .where(`e.status = 'open'`)
        .groupBy('e.category')
        .orderBy('e.category')
        .getRawMany<{ category: string; open: number } & Record<AgeBucket, number>>(),
    ]);
    return {
      syncHealth: { inFlight: statuses.in_flight, parked: statuses.parked, failed: statuses.failed },
      exceptionsByCategory: rows.map((row) => ({
        category: row.category,
        open: row.open,
        ageBuckets: { lt1h: row.lt1h, lt24h: row.lt24h, lt7d: row.lt7d, gte7d: row.gte7d },
      })),
    };
  }
}
