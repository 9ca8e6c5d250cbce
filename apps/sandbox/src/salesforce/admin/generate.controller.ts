import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { currencyExponent } from '@revline/canonical';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Min } from 'class-validator';
import { GenerationDto, generatedNumber as pad } from '../../generation.dto';
import { ADMIN_USER_ID, OrgStore } from '../org/org-store';
import type { StoredRecord } from '../org/org-store';
import { objectDef } from '../org/schema';

const CURRENCIES = (objectDef('Order')?.fields.find((f) => f.name === 'CurrencyIsoCode')?.picklist ?? []).map(
  (c) => c.toLowerCase(),
);

export class GenerateSalesforceDto extends GenerationDto {
  /** The Stripe generation's currency (usd by default). */
  @IsOptional() @IsString() @IsIn(CURRENCIES) currency?: string;
  /** The catalogue's unitPricePeriod for SEAT: the unit price is the Stripe price's 1000 a month, so a year. */
  @IsOptional() @IsIn(['month', 'year']) unitPricePeriod?: 'month' | 'year';
  /** Drift planted on orders i with i mod driftEvery = 4: the line's quantity one more than billed. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(5) driftEvery?: number;
}

export interface GenerateSalesforceResult {
  orders: number;
  lines: number;
  planted: { quantity_mismatch: number };
  seconds: number;
}

const day = (unix: number): string => new Date(unix * 1000).toISOString().slice(0, 10);
/** The day before the same date a year on: a one-year term. */
const yearEnd = (unix: number): string => {
  const date = new Date(unix * 1000);
  date.setUTCFullYear(date.getUTCFullYear() + 1);
  date.setUTCDate(date.getUTCDate() - 1);
  return date.toISOString().slice(0, 10);
};

/** The Stripe generator's price: 1000 minor units a month, on every subscription item. */
const STRIPE_UNIT_AMOUNT = 1000;

/**
 * Bulk generation for benches: the activated Orders the Stripe sandbox's generated subscriptions were billed for,
 * written straight into the org store (no transaction, no validation rules, no Change Data Capture), deterministic
 * from the seed: order `i` has the id `<contractPrefix><i, 7 digits>` (the subscription's `revline_contract_id`),
 * effective the UTC day of `createdFrom + i × spacingSeconds` (the subscription's start date) for a year, and
 * one OrderItem `802<seed><i, 7 digits>` (the subscription item's `revline_line_id`) of product SEAT, quantity
 * `linesPerInvoice`, unit price the Stripe price's 1000 minor units a month in `unitPricePeriod` terms. One
 * account, product and standard price book entry per seed. Not a Salesforce route.
 */
@ApiTags('sandbox')
@Controller('sandbox/salesforce')
export class SalesforceGenerateController {
  constructor(private readonly store: OrgStore) {}

  @Post('generate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Writes N activated orders (one SEAT line each) mirroring generated Stripe subscriptions',
  })
  @ApiOkResponse({ description: '{ orders, lines, planted, seconds }' })
  generate(@Body() body: GenerateSalesforceDto): GenerateSalesforceResult {
    const started = Date.now();
    const { invoices, linesPerInvoice, seed, createdFrom } = body;
    const driftEvery = body.driftEvery ?? Number.MAX_SAFE_INTEGER;
    const contractPrefix = body.contractPrefix ?? `801${seed}`;
    const currency = (body.currency ?? 'usd').toUpperCase();
    const months = body.unitPricePeriod === 'year' ? 12 : 1;
    const unitPrice = (STRIPE_UNIT_AMOUNT * months) / 10 ** currencyExponent(currency);
    const audit = (unix: number) => {
      const at = new Date(unix * 1000).toISOString();
      return {
        IsDeleted: false,
        CreatedDate: at,
        CreatedById: ADMIN_USER_ID,
        LastModifiedDate: at,
        LastModifiedById: ADMIN_USER_ID,
        SystemModstamp: at,
      };
    };
    const account = `001${seed}${pad(0)}`;
    const product = `01t${seed}${pad(0)}`;
    const entry = `01u${seed}${pad(0)}`;
    const records: StoredRecord[] = [
      {
        object: 'Account',
        deleted: false,
        values: { Id: account, Name: `Generated ${seed}`, CurrencyIsoCode: currency, ...audit(createdFrom) },
      },
      {
        object: 'Product2',
        deleted: false,
        values: {
          Id: product,
          Name: 'Seat',
          ProductCode: 'SEAT',
          IsActive: true,
          Family: 'Subscription',
          SBQQ__ChargeType__c: 'Recurring',
          SBQQ__BillingFrequency__c: 'Monthly',
          CurrencyIsoCode: currency,
          ...audit(createdFrom),
        },
      },
      {
        object: 'PricebookEntry',
        deleted: false,
        values: {
          Id: entry,
          Name: 'Seat',
          Pricebook2Id: this.store.standardPricebookId,
          Product2Id: product,
          ProductCode: 'SEAT',
          UnitPrice: unitPrice,
          IsActive: true,
          UseStandardPrice: false,
          CurrencyIsoCode: currency,
          ...audit(createdFrom),
        },
      },
    ];
    this.store.load(records);
    const planted = { quantity_mismatch: 0 };
    for (let i = 0; i < invoices; i++) {
      const created = createdFrom + i * (body.spacingSeconds ?? 1);
      const quantity = linesPerInvoice + (i % driftEvery === 4 ? 1 : 0);
      if (quantity !== linesPerInvoice) planted.quantity_mismatch += 1;
      const order = `${contractPrefix}${pad(i)}`;
      const stamps = audit(created);
      const effective = day(created);
      const end = yearEnd(created);
      const total = Math.round(quantity * unitPrice * 100) / 100;
      this.store.load([
        {
          object: 'Order',
          deleted: false,
          values: {
            Id: order,
            OrderNumber: `G${seed}${pad(i)}`,
            AccountId: account,
            ContractId: null,
            Pricebook2Id: this.store.standardPricebookId,
            EffectiveDate: effective,
            EndDate: end,
            Status: 'Activated',
            StatusCode: 'Activated',
            Type: 'New',
            ActivatedDate: stamps.CreatedDate,
            ActivatedById: ADMIN_USER_ID,
            TotalAmount: total,
            SBQQ__Contracted__c: false,
            CurrencyIsoCode: currency,
            ...stamps,
          },
        },
        {
          object: 'OrderItem',
          deleted: false,
          values: {
            Id: `802${seed}${pad(i)}`,
            OrderItemNumber: pad(i),
            OrderId: order,
            PricebookEntryId: entry,
            Product2Id: product,
            Quantity: quantity,
            UnitPrice: unitPrice,
            ListPrice: unitPrice,
            TotalPrice: total,
            ServiceDate: effective,
            EndDate: end,
            SBQQ__ChargeType__c: 'Recurring',
            SBQQ__BillingFrequency__c: 'Monthly',
            ...stamps,
          },
        },
      ]);
    }
    return {
      orders: invoices,
      lines: invoices,
      planted,
      seconds: (Date.now() - started) / 1000,
    };
  }
}
