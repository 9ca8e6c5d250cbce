import type { ContractBooked } from '@revline/canonical';
import { describe, expect, it } from 'vitest';
import { accountWriteBack, billingCustomer, erpCustomerPayload } from './customer-plan';
import type { SagaData } from './saga-data';

const ACCOUNT = '001Dn00000Ab3dEIAR';
const data = (over: Partial<SagaData> = {}): SagaData => ({
  salesforceOrderId: '801Dn00000Xy1AAA',
  salesforceAccountId: ACCOUNT,
  currency: 'USD',
  pending: [],
  invoices: [],
  creditNotes: [],
  ...over,
});
const booking = (customer: Partial<ContractBooked['customer']> = {}): ContractBooked =>
  ({
    currency: 'USD',
    customer: {
      customerId: ACCOUNT,
      salesforceAccountId: ACCOUNT,
      name: 'Globex Corporation',
      currency: 'USD',
      billingAddress: { line1: '10 Downing Street', city: 'London', country: 'GB' },
      ...customer,
    },
  }) as ContractBooked;

describe('one customer per account: what the saga asks of each system', () => {
  it("creates the account's ERP customer under an external id of the account, with its name, address and currency", () => {
    expect(erpCustomerPayload(booking(), ACCOUNT, 'US01')).toEqual({
      externalId: `CUST-${ACCOUNT}`,
      name: 'Globex Corporation',
      subsidiary: 'US01',
      currency: 'USD',
      address: { line1: '10 Downing Street', city: 'London', country: 'GB' },
    });
  });

  it('asks the ERP nothing when the account already names its ERP customer', () => {
    expect(erpCustomerPayload(booking({ erpCustomerId: `CUST-${ACCOUNT}` }), ACCOUNT, 'US01')).toBeNull();
  });

  it("bills the account's customer with its name and address, and the known billing customer when there is one", () => {
    expect(billingCustomer(data(), booking().customer)).toEqual({
      name: 'Globex Corporation',
      crmAccountId: ACCOUNT,
      address: { line1: '10 Downing Street', city: 'London', country: 'GB' },
    });
    expect(billingCustomer(data({ billingCustomerId: 'cus_1' }), booking().customer)).toMatchObject({
      billingCustomerId: 'cus_1',
    });
  });

  it('writes back to the account only the ids the order did not carry yet', () => {
    const known = data({ billingCustomerId: 'cus_1', erpCustomerExternalId: `CUST-${ACCOUNT}` });
    expect(accountWriteBack(known, booking().customer)).toEqual({
      objectType: 'Account',
      recordId: ACCOUNT,
      fields: { billingId: 'cus_1', erpId: `CUST-${ACCOUNT}` },
    });
    expect(
      accountWriteBack(
        known,
        booking({ billingCustomerId: 'cus_1', erpCustomerId: `CUST-${ACCOUNT}` }).customer,
      ),
    ).toBeNull();
  });
});
