import { z } from 'zod';

/** The body of POST /v1/orders/validate: a Salesforce order record, as system-salesforce reads it. */
export const OrderRecordSchema = z.record(z.string(), z.unknown()).meta({
  id: 'SalesforceOrderRecord',
  description: 'A Salesforce Order with Account and OrderItems (with Product2), or the CRM order DTO',
});
