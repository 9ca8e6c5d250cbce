import type { AppDatabase } from '@revline/platform';
import { ConsoleSessionEntity } from './console/console-session.entity';
import { ConsoleSessions1764400001500 } from './console/console-sessions.migration';

/** The `experience` schema: the tables only experience-finance reads and writes. */
export const DATABASE: AppDatabase = {
  schema: 'experience',
  entities: [ConsoleSessionEntity],
  migrations: [ConsoleSessions1764400001500],
  messaging: false,
};
