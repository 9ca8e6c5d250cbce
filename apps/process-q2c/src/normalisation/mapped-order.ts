import type { AmendmentType, BillingFrequency, BillingTiming, ChargeType } from '@revline/canonical';
import type { CurrencyCode } from '@revline/canonical';

export type OrderType = 'new' | 'amendment' | 'renewal';

/** One order line read through the mapping, in canonical terms but before any business rule. */
export interface MappedLine {
  readonly index: number;
  readonly lineId: string;
  readonly productCode: string;
  /** Signed: an amendment line carries the change in quantity. */
  readonly quantity: string;
  readonly unitPrice: string;
  readonly serviceStart?: string;
  readonly serviceEnd?: string;
  readonly chargeType?: ChargeType;
  readonly revisesLineId?: string;
  readonly segmentKey?: string;
}

/** A Salesforce order read through a mapping version. */
export interface MappedOrder {
  readonly contractId: string;
  readonly orderType: OrderType;
  readonly activated: boolean;
  readonly currency: CurrencyCode;
  readonly termStart: string;
  readonly termEnd?: string;
  readonly billingFrequency: BillingFrequency;
  readonly billingTiming: BillingTiming;
  /** The day of the month billing periods start on (Revline's Order.Revline_Bill_Cycle_Day__c). */
  readonly billCycleDay?: number;
  readonly amendmentType?: AmendmentType;
  /** Order.ContractId: the contract an amendment amends, or the one CPQ created from this order. */
  readonly amendedContractRef?: string;
  /** The contract a renewal renews. */
  readonly renewedContractRef?: string;
  readonly customer: {
    readonly customerId: string;
    readonly salesforceAccountId: string;
    readonly billingCustomerId?: string;
    readonly erpCustomerId?: string;
    readonly currency?: string;
    /** The account's name and billing address, for the customer Revline creates in each system. */
    readonly name?: string;
    readonly billingAddress?: {
      readonly line1?: string;
      readonly city?: string;
      readonly state?: string;
      readonly postalCode?: string;
      readonly country?: string;
    };
  };
  readonly lines: readonly MappedLine[];
}
