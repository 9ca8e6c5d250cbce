import type { AppDatabase } from '@revline/platform';
import { SalesforceCapturedIdentity1796500000000 } from './capture/capture-identity.migration';
import { SalesforceCaptureState1764300000000 } from './capture/capture.migration';
import { CAPTURE_ENTITIES } from './capture/entities';

/** The `salesforce` schema: the tables only system-salesforce reads and writes. */
export const DATABASE: AppDatabase = {
  schema: 'salesforce',
  entities: CAPTURE_ENTITIES,
  migrations: [SalesforceCaptureState1764300000000, SalesforceCapturedIdentity1796500000000],
  messaging: true,
};
