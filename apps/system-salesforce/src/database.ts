import type { AppDatabase } from '@revline/platform';

/** The `salesforce` schema: the tables only system-salesforce reads and writes. */
export const DATABASE: AppDatabase = {
  schema: 'salesforce',
  entities: [],
  migrations: [],
  messaging: true,
};
