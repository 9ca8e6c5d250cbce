import { describe, expect, it } from 'vitest';
import { ConsoleConfig } from '../console/console.config';
import { vendorUrl } from './vendor-links';

const configured = Object.assign(new ConsoleConfig(), {
  SALESFORCE_UI_BASE_URL: 'https://acme.lightning.force.com/',
  STRIPE_DASHBOARD_URL: 'https://dashboard.stripe.com/test',
  NETSUITE_UI_BASE_URL: 'https://1234567.app.netsuite.com',
});

describe('vendorUrl', () => {
  it("links each vendor's records to its own UI", () => {
    expect(
      vendorUrl({ system: 'salesforce', objectType: 'Order', externalId: '801Dn00000Booking1' }, configured),
    ).toBe('https://acme.lightning.force.com/lightning/r/Order/801Dn00000Booking1/view');
    expect(
      vendorUrl({ system: 'billing', objectType: 'Subscription', externalId: 'sub_123' }, configured),
    ).toBe('https://dashboard.stripe.com/test/subscriptions/sub_123');
    expect(vendorUrl({ system: 'billing', objectType: 'Invoice', externalId: 'in_1' }, configured)).toBe(
      'https://dashboard.stripe.com/test/invoices/in_1',
    );
    expect(vendorUrl({ system: 'erp', objectType: 'invoice', externalId: '42' }, configured)).toBe(
      'https://1234567.app.netsuite.com/app/accounting/transactions/transaction.nl?id=42',
    );
    expect(vendorUrl({ system: 'erp', objectType: 'customer', externalId: 'C-1' }, configured)).toBe(
      'https://1234567.app.netsuite.com/app/common/entity/entity.nl?id=C-1',
    );
  });

  it("links nothing without the vendor's base URL, nor Revline's own hops, commands or journals", () => {
    const bare = new ConsoleConfig();
    expect(
      vendorUrl({ system: 'salesforce', objectType: 'Order', externalId: '801Dn00000Booking1' }, bare),
    ).toBeNull();
    expect(vendorUrl({ system: 'billing', objectType: 'Invoice', externalId: 'in_1' }, bare)).toBeNull();
    expect(vendorUrl({ system: 'erp', objectType: 'invoice', externalId: '42' }, bare)).toBeNull();
    expect(vendorUrl({ system: 'revline', objectType: 'Saga', externalId: 'x' }, configured)).toBeNull();
    expect(
      vendorUrl(
        { system: 'salesforce', objectType: 'crm.write-back', externalId: '801Dn00000Booking1' },
        configured,
      ),
    ).toBeNull();
    expect(
      vendorUrl({ system: 'erp', objectType: 'revenueJournal', externalId: 'rj:1' }, configured),
    ).toBeNull();
    expect(
      vendorUrl({ system: 'billing', objectType: 'Payment', externalId: 'pi_1' }, configured),
    ).toBeNull();
  });
});
