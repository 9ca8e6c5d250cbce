import type { AppDatabase } from '@revline/platform';
import { SalesforceCaptureState1764300000000 } from './capture/capture.migration';
import { CAPTURE_ENTITIES } from './capture/entities';

/** The `salesforce` schema: the tables only system-salesforce reads and writes. */
export const DATABASE: AppDatabase = {
  schema: 'salesforce',
  entities: CAPTURE_ENTITIES,
  migrations: [SalesforceCaptureState1764300000000],
  messaging: true,
};
