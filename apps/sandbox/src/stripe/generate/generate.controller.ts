import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { GenerationDto, generatedNumber as pad } from '../../generation.dto';
import { StripeStore } from '../state/store';
import { automaticTax } from '../billing/tax';
import type { Invoice, InvoiceLine, Price, Subscription, SubscriptionItem } from '../state/types';

export class GenerateStripeDto extends GenerationDto {
  @IsOptional() @IsString() @Matches(/^[a-z]{3}$/) currency?: string;
}

/**
 * Bulk generation for benches: invoices with their customers, subscriptions and lines written straight into the
 * store (no per-object request, no events), deterministic from the seed: invoice `i` has the id
 * `in_<seed>_<i>`, customer `cus_<seed>_<i>`, subscription `sub_<seed>_<i>` (its item billing the order line
 * `802<seed><i>`), its lines `il_<seed>_<i>_<l>`, unit
 * amount 1000 + (i mod 97) per line, created `createdFrom + i × spacingSeconds`. Paid and finalized, on the test clock
 * `clock_<seed>` frozen at `createdFrom` (so no renewal runs until it is advanced). Not a Stripe route.
 */
@ApiTags('faults')
@Controller('sandbox/stripe')
export class StripeGenerateController {
  constructor(private readonly store: StripeStore) {}

  @Post('generate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Writes N paid invoices × M lines (with customers and subscriptions) into the store',
  })
  @ApiOkResponse({ description: '{ invoices, lines, seconds }' })
  generate(@Body() body: GenerateStripeDto): { invoices: number; lines: number; seconds: number } {
    const started = Date.now();
    const { invoices, linesPerInvoice, seed, createdFrom } = body;
    const currency = body.currency ?? 'usd';
    const contractPrefix = body.contractPrefix ?? `801${seed}`;
    const product = `prod_${seed}`;
    const priceId = `price_${seed}`;
    this.store.products.set(product, {
      id: product,
      object: 'product',
      created: createdFrom,
      livemode: false,
      name: 'Seat',
      active: true,
      description: null,
      metadata: {},
    });
    const price: Price = {
      id: priceId,
      object: 'price',
      created: createdFrom,
      livemode: false,
      product,
      active: true,
      currency,
      nickname: null,
      lookup_key: null,
      metadata: {},
      type: 'recurring',
      billing_scheme: 'per_unit',
      tax_behavior: 'unspecified',
      unit_amount: 1000,
      unit_amount_decimal: '1000',
      tiers_mode: null,
      recurring: { interval: 'month', interval_count: 1, usage_type: 'licensed', meter: null },
    };
    this.store.prices.set(priceId, price);
    // On a test clock frozen at the generation's start: the real-time sweep leaves them alone (no renewals).
    const clock = `clock_${seed}`;
    this.store.testClocks.set(clock, {
      id: clock,
      object: 'test_helpers.test_clock',
      created: createdFrom,
      livemode: false,
      frozen_time: createdFrom,
      name: `generated ${seed}`,
      status: 'ready',
      deletes_after: createdFrom + 30 * 86_400,
    });
    for (let i = 0; i < invoices; i++) {
      const created = createdFrom + i * (body.spacingSeconds ?? 1);
      const periodEnd = created + 30 * 86_400;
      const customer = `cus_${seed}_${pad(i)}`;
      const subscriptionId = `sub_${seed}_${pad(i)}`;
      const invoiceId = `in_${seed}_${pad(i)}`;
      const unit = 1000 + (i % 97);
      this.store.customers.set(customer, {
        id: customer,
        object: 'customer',
        address: null,
        created,
        livemode: false,
        name: `Customer ${pad(i)}`,
        email: null,
        description: null,
        balance: 0,
        currency,
        metadata: {},
        test_clock: clock,
        invoice_settings: { default_payment_method: null },
      });
      const item: SubscriptionItem = {
        id: `si_${seed}_${pad(i)}`,
        object: 'subscription_item',
        created,
        livemode: false,
        subscription: subscriptionId,
        price,
        quantity: linesPerInvoice,
        // The Salesforce sandbox's generated order line it bills (POST /sandbox/salesforce/generate).
        metadata: { revline_line_id: `802${seed}${pad(i)}` },
        current_period_start: created,
        current_period_end: periodEnd,
      };
      const subscription: Subscription = {
        id: subscriptionId,
        object: 'subscription',
        created,
        livemode: false,
        customer,
        status: 'active',
        currency,
        collection_method: 'charge_automatically',
        days_until_due: null,
        billing_mode: { type: 'flexible' },
        automatic_tax: automaticTax(false),
        billing_cycle_anchor: created,
        start_date: created,
        cancel_at_period_end: false,
        cancel_at: null,
        canceled_at: null,
        ended_at: null,
        items: {
          object: 'list',
          data: [item],
          has_more: false,
          url: `/v1/subscription_items?subscription=${subscriptionId}`,
        },
        latest_invoice: invoiceId,
        schedule: null,
        metadata: { revline_contract_id: `${contractPrefix}${pad(i)}` },
        test_clock: clock,
        description: null,
      };
      this.store.subscriptions.set(subscriptionId, subscription);
      const lines: InvoiceLine[] = [];
      for (let l = 0; l < linesPerInvoice; l++)
        lines.push({
          id: `il_${seed}_${pad(i)}_${String(l)}`,
          object: 'line_item',
          invoice: invoiceId,
          amount: unit,
          currency,
          description: 'Seat',
          livemode: false,
          metadata: {},
          period: { start: created, end: periodEnd },
          quantity: 1,
          subscription: subscriptionId,
          parent: {
            type: 'subscription_item_details',
            subscription_item_details: {
              invoice_item: null,
              proration: false,
              proration_details: { credited_items: null },
              subscription: subscriptionId,
              subscription_item: item.id,
            },
            invoice_item_details: null,
          },
          pricing: {
            type: 'price_details',
            price_details: { price: priceId, product },
            unit_amount_decimal: String(unit),
          },
          discountable: true,
          discounts: [],
          discount_amounts: [],
          taxes: [],
        });
      const total = unit * linesPerInvoice;
      const invoice: Invoice = {
        id: invoiceId,
        object: 'invoice',
        created,
        livemode: false,
        customer,
        currency,
        status: 'paid',
        number: `GEN-${seed}-${pad(i)}`,
        billing_reason: 'subscription_create',
        automatic_tax: automaticTax(false),
        collection_method: 'charge_automatically',
        auto_advance: false,
        automatically_finalizes_at: null,
        due_date: null,
        lines: {
          object: 'list',
          data: lines,
          has_more: false,
          url: `/v1/invoices/${invoiceId}/lines`,
          total_count: lines.length,
        },
        subtotal: total,
        subtotal_excluding_tax: total,
        total,
        total_excluding_tax: total,
        amount_due: total,
        amount_paid: total,
        amount_remaining: 0,
        amount_overpaid: 0,
        starting_balance: 0,
        ending_balance: 0,
        pre_payment_credit_notes_amount: 0,
        post_payment_credit_notes_amount: 0,
        period_start: created,
        period_end: periodEnd,
        effective_at: created,
        attempted: true,
        attempt_count: 1,
        metadata: {},
        parent: {
          type: 'subscription_details',
          subscription_details: { subscription: subscriptionId, metadata: subscription.metadata },
        },
        status_transitions: {
          finalized_at: created,
          paid_at: created,
          voided_at: null,
          marked_uncollectible_at: null,
        },
        payments: {
          object: 'list',
          data: [],
          has_more: false,
          url: `/v1/invoice_payments?invoice=${invoiceId}`,
        },
        test_clock: clock,
        total_taxes: [],
        discounts: [],
      };
      this.store.invoices.set(invoiceId, invoice);
    }
    return { invoices, lines: invoices * linesPerInvoice, seconds: (Date.now() - started) / 1000 };
  }
}
