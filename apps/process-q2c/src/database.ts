import type { AppDatabase } from '@revline/platform';

/** The `q2c` schema: the tables only process-q2c reads and writes. */
export const DATABASE: AppDatabase = {
  schema: 'q2c',
  entities: [],
  migrations: [],
  messaging: true,
};
