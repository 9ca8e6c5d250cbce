import type { ContractAmended } from '@revline/canonical';
import { compareDecimals } from '../shared/line-amounts';
import type { BillingContractChangePayload, BillingDocumentPayload } from '@revline/messaging';
import { BusinessError } from '@revline/messaging';
import { billingPeriodOn, computeSchedules, previewProration, stubCharge } from '@revline/revenue';
import type { CatalogueEntry } from '../mappings/mapping-definition';
import type { ContractHistory } from './contract-history.repository';
import type { LineInForce } from './contract-lines';
import { linesInForce } from './contract-lines';

type Catalogue = ReadonlyMap<string, CatalogueEntry>;

function entryOf(catalogue: Catalogue, productCode: string): CatalogueEntry {
  const entry = catalogue.get(productCode);
  if (!entry) {
    throw new BusinessError('unmapped_product', `Product ${productCode} is not in the product catalogue`, {
      productCode,
    });
  }
  return entry;
}

/** One line's share of what the billing platform should charge for an amendment, in minor units. */
export interface ExpectedCharge {
  lineId: string;
  productCode: string;
  amountMinor: bigint;
}

/**
 * The subscription items in force: recurring lines with a quantity, on the catalogue's price, each with the
 * contract's unit price (per the catalogue's unit price period, which is the billing price's interval), and usage
 * lines on the catalogue's metered price. Only the billing system knows what its catalogue price charges; it bills
 * the catalogue price when the amounts agree and a price of the contract's amount when they do not (a renewal
 * uplift, a discount). A usage line carries no unit amount: its metered price (tiers, allowance, overage) is the
 * catalogue's, billed in arrears from the meter, and the billing system sets no quantity on a metered item.
 */
export function billingItems(
  lines: readonly LineInForce[],
  catalogue: Catalogue,
): BillingContractChangePayload['items'] {
  return lines
    .filter(
      (l) =>
        (l.chargeType === 'recurring' || l.chargeType === 'usage') && compareDecimals(l.quantity, '0') > 0,
    )
    .map((l) => {
      const item = {
        priceId: entryOf(catalogue, l.productCode).billingPriceId,
        quantity: l.quantity,
        lineId: l.lineId,
      };
      return l.chargeType === 'usage' ? item : { ...item, unitAmount: l.unitPrice };
    });
}

/** The billing prices of the catalogue's usage lines (metered, billed in arrears). */
export function meteredPriceIds(catalogue: Catalogue): string[] {
  return [...catalogue.values()].filter((e) => e.chargeType === 'usage').map((e) => e.billingPriceId);
}

/**
 * What an invoice charges that a charging amendment is checked against: its total without its usage lines (lines
 * on a metered price of the catalogue). Usage is billed in arrears, so the invoice of a period may carry the usage
 * of the period before beside the charge; that is no part of the change's proration or renewal term.
 */
export function chargedWithoutUsage(
  invoices: readonly BillingDocumentPayload[],
  catalogue: Catalogue,
): bigint {
  const metered = new Set(meteredPriceIds(catalogue));
  return invoices.reduce(
    (sum, invoice) =>
      sum +
      BigInt(invoice.total.amountMinor) -
      invoice.lines
        .filter((l) => l.priceId !== undefined && metered.has(l.priceId))
        .reduce((usage, l) => usage + BigInt(l.amount.amountMinor), 0n),
    0n,
  );
}

/**
 * What the billing platform should charge for a charging amendment: a renewal's new term invoiced in advance, or
 * the proration of any other change. Per line, for the ERP document; usage lines (billed in arrears) are left out.
 */
export function expectedCharge(
  history: ContractHistory,
  before: readonly ContractAmended[],
  amendment: ContractAmended,
  catalogue: Catalogue,
): ExpectedCharge[] {
  const charges =
    amendment.amendmentType === 'renewal'
      ? expectedRenewalCharge(history, before, amendment)
      : expectedProration(history, before, amendment, catalogue);
  // Usage is billed in arrears from the meter: a usage line is never part of a change's charge.
  return charges.filter((c) => catalogue.get(c.productCode)?.chargeType !== 'usage');
}

/**
 * A renewal is not a proration: the renewal term starts after the billed term, and the billing platform invoices
 * it in advance at the renewed prices when the term begins (10 seats × 1,260.00 a year over 2027: 12,600.00). The
 * amount is the engine's: the renewal's obligations (one per renewed line, valued over the renewal term, exact
 * in minor units), so the invoice is checked against the very figure the revenue schedule recognises.
 */
export function expectedRenewalCharge(
  history: ContractHistory,
  before: readonly ContractAmended[],
  amendment: ContractAmended,
): ExpectedCharge[] {
  if (amendment.amendmentType !== 'renewal') throw new Error(`${amendment.amendmentId} is not a renewal`);
  const result = computeSchedules(history.booking, [...before, amendment]);
  return result.obligations
    .filter((o) => o.origin === amendment.amendmentId)
    .map((o) => ({ lineId: o.lineId, productCode: o.productCode, amountMinor: o.allocatedMinor }));
}

/**
 * What the billing platform's first invoice of a booking should charge when the contract's bill-cycle day falls after
 * its term start: each recurring item's stub from the term start to the first cycle date. Undefined when the term
 * starts on a cycle date (the first invoice is a whole period, as it always was).
 */
export function expectedStubCharge(
  booking: ContractHistory['booking'],
  catalogue: Catalogue,
): ExpectedCharge[] | undefined {
  if (booking.billCycleDay === undefined) return undefined;
  const out: ExpectedCharge[] = [];
  for (const line of booking.lines) {
    if (line.chargeType !== 'recurring' || compareDecimals(line.quantity, '0') <= 0) continue;
    const amountMinor = stubCharge({
      currency: booking.currency,
      termStart: booking.termStart,
      termEnd: booking.termEnd,
      billCycleDay: booking.billCycleDay,
      unitPricePeriod: entryOf(catalogue, line.productCode).unitPricePeriod,
      quantity: line.quantity,
      unitPrice: line.unitPrice,
    });
    if (amountMinor === undefined) return undefined;
    out.push({ lineId: line.lineId, productCode: line.productCode, amountMinor });
  }
  return out;
}

/**
 * The later steps of a booking's ramps, as the billing platform's schedule phases: from each later segment start,
 * every recurring line with the quantity of the segment then in force.
 */
export function rampSteps(
  booking: ContractHistory['booking'],
  catalogue: Catalogue,
): NonNullable<BillingContractChangePayload['rampSteps']> {
  const dates = [...new Set(booking.lines.flatMap((l) => (l.rampSegments ?? []).map((s) => s.start)))].sort();
  return dates
    .filter((date) => date > booking.termStart)
    .map((startDate) => ({
      startDate,
      items: billingItems(
        booking.lines.map((l) => {
          const segment = (l.rampSegments ?? []).findLast((s) => s.start <= startDate);
          return segment ? { ...l, quantity: segment.quantity, unitPrice: segment.unitPrice } : l;
        }),
        catalogue,
      ),
    }));
}

/**
 * What the billing platform should charge for an amendment at its effective date: the engine's proration of each
 * changed or added recurring line over the billing period the change falls in, by actual days (Stripe's
 * proration for a change at 00:00 UTC). Stripe bills a subscription item every interval of its price from the
 * subscription's start, so that period is the catalogue price's interval (its unit price period) counted from
 * the term start; later periods are invoiced at the new price when they begin, not at the change. Positive is
 * owed by the customer, negative is owed to them. Per line, for the ERP document.
 */
export function expectedProration(
  history: ContractHistory,
  before: readonly ContractAmended[],
  amendment: ContractAmended,
  catalogue: Catalogue,
): ExpectedCharge[] {
  const { booking } = history;
  const prior = new Map(linesInForce(history, before).map((l) => [l.lineId, l]));
  const after = linesInForce(history, [...before, amendment]);
  const out: ExpectedCharge[] = [];
  for (const line of after) {
    if (line.chargeType !== 'recurring') continue;
    const was = prior.get(line.lineId);
    const unchanged =
      was &&
      compareDecimals(was.quantity, line.quantity) === 0 &&
      compareDecimals(was.unitPrice, line.unitPrice) === 0;
    if (unchanged) continue;
    const unitPricePeriod = entryOf(catalogue, line.productCode).unitPricePeriod;
    const period = billingPeriodOn(
      booking.termStart,
      booking.termEnd,
      unitPricePeriod,
      amendment.effectiveDate,
      booking.billCycleDay,
    );
    const preview = previewProration(
      {
        currency: booking.currency,
        periodStart: period.start,
        periodEnd: period.end,
        effectiveDate: amendment.effectiveDate,
        priorQuantity: was?.quantity ?? '0',
        newQuantity: line.quantity,
        priorUnitPrice: was?.unitPrice ?? line.unitPrice,
        newUnitPrice: line.unitPrice,
        unitPricePeriod,
      },
      'actual_days',
    );
    out.push({ lineId: line.lineId, productCode: line.productCode, amountMinor: BigInt(preview.netMinor) });
  }
  return out;
}
