import type { AppDatabase } from '@revline/platform';

/** The `erp` schema: the tables only system-erp reads and writes. */
export const DATABASE: AppDatabase = {
  schema: 'erp',
  entities: [],
  migrations: [],
  messaging: true,
};
