import { describe, expect, it } from 'vitest';
import { compileMapping } from '../mappings/mapping-definition';
import { DEFAULT_MAPPING } from '../mappings/default-mapping';
import { extractOrder } from './extract-order';
import { salesforceShape } from './record-shape';

/** The order as system-salesforce's CRM DTO carries it (libs/crm-port CrmOrder). */
const crmOrder = {
  id: '801Dn00000Booking1',
  kind: 'new',
  status: 'Activated',
  accountId: '001Dn00000Ab3dEIAR',
  fields: {
    Id: '801Dn00000Booking1',
    Type: 'New',
    Status: 'Activated',
    EffectiveDate: '2026-01-01',
    EndDate: '2026-12-31',
    AccountId: '001Dn00000Ab3dEIAR',
    CurrencyIsoCode: 'USD',
  },
  account: {
    id: '001Dn00000Ab3dEIAR',
    fields: { Id: '001Dn00000Ab3dEIAR', CurrencyIsoCode: 'USD', Revline_Billing_Id__c: 'cus_9' },
  },
  lines: [
    {
      id: '802A',
      productId: '01tSEAT',
      productCode: 'SEAT',
      fields: {
        Id: '802A',
        Product2Id: '01tSEAT',
        Quantity: 10,
        UnitPrice: 100,
        SBQQ__ChargeType__c: 'Recurring',
      },
    },
  ],
  products: [
    { id: '01tSEAT', code: 'SEAT', fields: { Id: '01tSEAT', ProductCode: 'SEAT', Family: 'Seats' } },
  ],
};

describe('record shape', () => {
  it('rebuilds the Salesforce shape from the CRM DTO, so mappings read the same paths', () => {
    const shaped = salesforceShape(crmOrder);
    expect(shaped).toMatchObject({
      Id: '801Dn00000Booking1',
      Account: { Revline_Billing_Id__c: 'cus_9' },
      OrderItems: {
        records: [{ Id: '802A', Quantity: 10, Product2: { ProductCode: 'SEAT', Family: 'Seats' } }],
      },
    });
    const order = extractOrder(shaped, compileMapping(1, DEFAULT_MAPPING));
    expect(order).toMatchObject({
      contractId: '801Dn00000Booking1',
      orderType: 'new',
      activated: true,
      customer: { billingCustomerId: 'cus_9' },
      lines: [
        { lineId: '802A', productCode: 'SEAT', quantity: '10', unitPrice: '100', chargeType: 'recurring' },
      ],
    });
  });

  it('leaves a Salesforce-shaped record as it is', () => {
    const record = { Id: 'x', OrderItems: { records: [] } };
    expect(salesforceShape(record)).toBe(record);
  });
});
