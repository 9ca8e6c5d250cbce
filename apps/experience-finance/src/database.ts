import type { AppDatabase } from '@revline/platform';

/** The `experience` schema: the tables only experience-finance reads and writes. */
export const DATABASE: AppDatabase = {
  schema: 'experience',
  entities: [],
  migrations: [],
  messaging: false,
};
