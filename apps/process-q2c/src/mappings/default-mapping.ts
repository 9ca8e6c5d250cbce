import type { MappingDefinition } from './mapping-definition';

const CHARGE_TYPES = { Recurring: 'recurring', 'One-Time': 'one_time', Usage: 'usage' };
const FREQUENCIES = {
  Monthly: 'monthly',
  Quarterly: 'quarterly',
  Semiannual: 'semiannual',
  Annual: 'annual',
  Invoice: 'upfront',
};

/**
 * Mapping version 1, seeded by migration: the standard Order/OrderItem fields, the CPQ managed-package fields
 * (SBQQ__…) and Revline's own custom fields on Order (Revline_Billing_Timing__c, the bill-cycle day
 * Revline_Bill_Cycle_Day__c) and Account, plus a starter catalogue for the products of the
 * booking scenario every Revline test knows. Admins replace it through a proposal and an approval.
 */
export const DEFAULT_MAPPING: MappingDefinition = {
  fieldMappings: [
    { target: 'contractId', source: 'Id' },
    {
      target: 'orderType',
      source: 'Type',
      valueMap: { New: 'new', Amendment: 'amendment', Renewal: 'renewal' },
      default: 'new',
    },
    { target: 'status', source: 'Status', valueMap: { Activated: 'activated' } },
    { target: 'currency', source: 'CurrencyIsoCode' },
    { target: 'termStart', source: 'EffectiveDate' },
    { target: 'termEnd', source: 'EndDate' },
    {
      target: 'billingFrequency',
      source: 'OrderItems[].SBQQ__BillingFrequency__c',
      valueMap: FREQUENCIES,
      default: 'annual',
    },
    { target: 'billingTiming', source: 'Revline_Billing_Timing__c', default: 'advance' },
    { target: 'billCycleDay', source: 'Revline_Bill_Cycle_Day__c' },
    { target: 'amendedContractRef', source: 'ContractId' },
    { target: 'renewedContractRef', source: 'SBQQ__RenewedContract__c' },
    { target: 'customer.customerId', source: 'AccountId' },
    { target: 'customer.salesforceAccountId', source: 'AccountId' },
    { target: 'customer.billingCustomerId', source: 'Account.Revline_Billing_Id__c' },
    { target: 'customer.erpCustomerId', source: 'Account.Revline_ERP_Id__c' },
    { target: 'customer.currency', source: 'Account.CurrencyIsoCode' },
    { target: 'customer.name', source: 'Account.Name' },
    { target: 'customer.billingAddress.line1', source: 'Account.BillingStreet' },
    { target: 'customer.billingAddress.city', source: 'Account.BillingCity' },
    { target: 'customer.billingAddress.state', source: 'Account.BillingState' },
    { target: 'customer.billingAddress.postalCode', source: 'Account.BillingPostalCode' },
    { target: 'customer.billingAddress.country', source: 'Account.BillingCountryCode' },
    { target: 'lines[].lineId', source: 'OrderItems[].Id' },
    { target: 'lines[].productCode', source: 'OrderItems[].Product2.ProductCode' },
    { target: 'lines[].quantity', source: 'OrderItems[].Quantity' },
    { target: 'lines[].unitPrice', source: 'OrderItems[].UnitPrice' },
    { target: 'lines[].serviceStart', source: 'OrderItems[].ServiceDate' },
    { target: 'lines[].serviceEnd', source: 'OrderItems[].EndDate' },
    { target: 'lines[].chargeType', source: 'OrderItems[].SBQQ__ChargeType__c', valueMap: CHARGE_TYPES },
    { target: 'lines[].revisesLineId', source: 'OrderItems[].SBQQ__RevisedOrderProduct__c' },
    { target: 'lines[].segmentKey', source: 'OrderItems[].SBQQ__SegmentKey__c' },
  ],
  productCatalogue: [
    {
      productCode: 'SEAT',
      billingPriceId: 'price_seat_monthly',
      erpItemId: 'ITEM-SEAT',
      revenueTreatment: 'ratable_daily',
      ssp: '100',
      unitPricePeriod: 'month',
      pobId: 'POB-SEATS',
      productClass: 'subscription',
      chargeType: 'recurring',
    },
    {
      productCode: 'ANALYTICS-PREMIUM',
      billingPriceId: 'price_analytics_premium_monthly',
      erpItemId: 'ITEM-ANALYTICS-PREMIUM',
      revenueTreatment: 'monthly_prorated',
      ssp: '250',
      unitPricePeriod: 'month',
      pobId: 'POB-ANALYTICS',
      productClass: 'subscription',
      chargeType: 'recurring',
    },
    {
      productCode: 'API-CALLS',
      billingPriceId: 'price_api_calls_overage',
      erpItemId: 'ITEM-API-CALLS',
      revenueTreatment: 'usage',
      ssp: '0',
      unitPricePeriod: 'month',
      pobId: 'POB-USAGE',
      productClass: 'usage',
      chargeType: 'usage',
      includedUsage: '100000',
      overageRate: '0.002',
    },
    {
      productCode: 'TRAINING-DAY',
      billingPriceId: 'price_training_day',
      erpItemId: 'ITEM-TRAINING',
      revenueTreatment: 'point_in_time',
      ssp: '1000',
      unitPricePeriod: 'term',
      pobId: 'POB-TRAINING',
      productClass: 'services',
      chargeType: 'one_time',
    },
  ],
  systemsOfRecord: {
    customerMaster: 'salesforce',
    contractStatus: 'salesforce',
    invoiceState: 'billing',
    revenueTreatment: 'erp',
  },
};
