import type { RecordBody } from '../records/record-schemas';

/**
 * The service items Revline's default mapping names as each product's ERP item (its `erpItemId`, the item's
 * external id), as an administrator would have set them up in the account before connecting Revline.
 */
export const DEFAULT_ITEMS: ReadonlyArray<RecordBody<'serviceSaleItem'> & { externalId: string }> = [
  { externalId: 'ITEM-SEAT', itemId: 'Seat subscription', displayName: 'Seats (per user per month)' },
  {
    externalId: 'ITEM-ANALYTICS-PREMIUM',
    itemId: 'Premium analytics',
    displayName: 'Premium analytics module (per month)',
  },
  { externalId: 'ITEM-API-CALLS', itemId: 'API calls', displayName: 'API calls above the included usage' },
  { externalId: 'ITEM-TRAINING', itemId: 'Training day', displayName: 'Training day (on site or remote)' },
];
