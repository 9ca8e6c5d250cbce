import type { AppDatabase } from '@revline/platform';
import { ErpCustomerEntity } from './postings/erp-customer.entity';
import { ErpCustomers1765000000000 } from './postings/erp-customers.migration';
import { RevenuePostingEntity } from './postings/revenue-posting.entity';
import { ErpRevenuePostings1764300000000 } from './postings/revenue-postings.migration';

/** The `erp` schema: the tables only system-erp reads and writes. */
export const DATABASE: AppDatabase = {
  schema: 'erp',
  entities: [RevenuePostingEntity, ErpCustomerEntity],
  migrations: [ErpRevenuePostings1764300000000, ErpCustomers1765000000000],
  messaging: true,
};
