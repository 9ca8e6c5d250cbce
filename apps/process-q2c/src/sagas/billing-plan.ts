import type { ContractAmended } from '@revline/canonical';
import { compareDecimals } from '../normalisation/line-amounts';
import type { BillingContractChangePayload } from '@revline/messaging';
import { BusinessError } from '@revline/messaging';
import { previewProration } from '@revline/revenue';
import type { CatalogueEntry } from '../mappings/mapping-definition';
import type { ContractHistory } from './contract-history';
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

/** The subscription items in force: recurring lines with a quantity, priced from the catalogue. */
export function billingItems(
  lines: readonly LineInForce[],
  catalogue: Catalogue,
): BillingContractChangePayload['items'] {
  return lines
    .filter((l) => l.chargeType === 'recurring' && compareDecimals(l.quantity, '0') > 0)
    .map((l) => ({
      priceId: entryOf(catalogue, l.productCode).billingPriceId,
      quantity: l.quantity,
      lineId: l.lineId,
    }));
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
 * changed or added recurring line over the billing period, by actual days (Stripe's proration for a change at
 * 00:00 UTC). Positive is owed by the customer, negative is owed to them. Per line, for the ERP document.
 */
export function expectedProration(
  history: ContractHistory,
  before: readonly ContractAmended[],
  amendment: ContractAmended,
  catalogue: Catalogue,
): Array<{ lineId: string; productCode: string; amountMinor: bigint }> {
  const { booking } = history;
  const prior = new Map(linesInForce(history, before).map((l) => [l.lineId, l]));
  const after = linesInForce(history, [...before, amendment]);
  const out: Array<{ lineId: string; productCode: string; amountMinor: bigint }> = [];
  for (const line of after) {
    if (line.chargeType !== 'recurring') continue;
    const was = prior.get(line.lineId);
    const unchanged =
      was &&
      compareDecimals(was.quantity, line.quantity) === 0 &&
      compareDecimals(was.unitPrice, line.unitPrice) === 0;
    if (unchanged) continue;
    const preview = previewProration(
      {
        currency: booking.currency,
        periodStart: booking.termStart,
        periodEnd: booking.termEnd,
        effectiveDate: amendment.effectiveDate,
        priorQuantity: was?.quantity ?? '0',
        newQuantity: line.quantity,
        priorUnitPrice: was?.unitPrice ?? line.unitPrice,
        newUnitPrice: line.unitPrice,
        unitPricePeriod: entryOf(catalogue, line.productCode).unitPricePeriod,
      },
      'actual_days',
    );
    out.push({ lineId: line.lineId, productCode: line.productCode, amountMinor: BigInt(preview.netMinor) });
  }
  return out;
}
