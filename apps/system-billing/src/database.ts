import type { AppDatabase } from '@revline/platform';

/** The `billing` schema: the tables only system-billing reads and writes. */
export const DATABASE: AppDatabase = {
  schema: 'billing',
  entities: [],
  migrations: [],
  messaging: true,
};
