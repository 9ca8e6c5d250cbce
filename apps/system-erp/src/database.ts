import type { AppDatabase } from '@revline/platform';
import { RevenuePostingEntity } from './postings/revenue-posting.entity';
import { ErpRevenuePostings1764300000000 } from './postings/revenue-postings.migration';

/** The `erp` schema: the tables only system-erp reads and writes. */
export const DATABASE: AppDatabase = {
  schema: 'erp',
  entities: [RevenuePostingEntity],
  migrations: [ErpRevenuePostings1764300000000],
  messaging: true,
};
