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
  {
    externalId: 'ITEM-SALES-TAX',
    itemId: 'Sales tax',
    displayName: 'Sales tax (accounts without SuiteTax)',
  },
];

/**
 * The item an account without SuiteTax charges tax through: an other-charge item whose income account is the
 * sales tax payable, so a line naming it posts to the tax liability instead of revenue.
 */
export const SALES_TAX_ITEM_EXTERNAL_ID = 'ITEM-SALES-TAX';
