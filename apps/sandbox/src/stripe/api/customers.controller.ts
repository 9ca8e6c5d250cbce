import { Body, Delete, Get, Param } from '@nestjs/common';
import { expand, expansions, paginate } from '../http/list';
import { mergeMetadata, Params } from '../http/params';
import { StripePost, StripeQuery } from '../http/request';
import { StripeController } from '../http/stripe-controller';
import { StripeApiError } from '../http/stripe-error';
import { StripeStore, stripeId } from '../state/store';
import type { Address, Customer } from '../state/types';

/** `address[line1]=…`: Stripe's address hash, every part optional; an empty value clears the address. */
function addressOf(p: Params): Address | null | undefined {
  const a = p.object('address');
  if (!a) return p.string('address') === '' ? null : undefined;
  const address: Address = {
    line1: a.string('line1') ?? null,
    line2: a.string('line2') ?? null,
    city: a.string('city') ?? null,
    state: a.string('state') ?? null,
    postal_code: a.string('postal_code') ?? null,
    country: a.string('country') ?? null,
  };
  a.end();
  return address;
}

@StripeController()
export class CustomersController {
  constructor(private readonly store: StripeStore) {}

  private find(id: string): Customer {
    const customer = this.store.customers.get(id);
    if (!customer) throw StripeApiError.noSuch('customer', id);
    return customer;
  }

  @StripePost('customers')
  createCustomer(@Body() body: unknown): Customer {
    const p = new Params(body);
    const testClock = p.string('test_clock') ?? null;
    if (testClock && !this.store.testClocks.has(testClock))
      throw StripeApiError.noSuch('test_clock', testClock, 'test_clock');
    const settings = p.object('invoice_settings');
    const customer: Customer = {
      id: stripeId('cus', 14),
      object: 'customer',
      created: this.store.now(testClock),
      livemode: false,
      name: p.string('name') ?? null,
      email: p.string('email') ?? null,
      description: p.string('description') ?? null,
      address: addressOf(p) ?? null,
      balance: p.int('balance') ?? 0,
      currency: null,
      metadata: p.metadata() ?? {},
      test_clock: testClock,
      invoice_settings: { default_payment_method: settings?.string('default_payment_method') ?? null },
    };
    p.end();
    this.store.customers.set(customer.id, customer);
    this.store.emit('customer.created', customer, customer.created);
    return customer;
  }

  @Get('customers/:id')
  retrieveCustomer(@Param('id') id: string, @StripeQuery() query: unknown): Customer {
    return expand(this.find(id), expansions({}, query), (ref) => this.store.testClocks.get(ref));
  }

  @StripePost('customers/:id')
  updateCustomer(@Param('id') id: string, @Body() body: unknown): Customer {
    const customer = this.find(id);
    const p = new Params(body);
    const previous: Record<string, unknown> = {};
    for (const key of ['name', 'email', 'description'] as const) {
      const value = p.string(key);
      if (value !== undefined) {
        previous[key] = customer[key];
        customer[key] = value;
      }
    }
    const address = addressOf(p);
    if (address !== undefined) {
      previous.address = customer.address;
      customer.address = address;
    }
    const metadata = p.metadata();
    if (metadata) {
      previous.metadata = customer.metadata;
      customer.metadata = mergeMetadata(customer.metadata, metadata);
    }
    const settings = p.object('invoice_settings');
    const method = settings?.string('default_payment_method');
    if (method !== undefined) customer.invoice_settings.default_payment_method = method || null;
    p.end();
    this.store.emit('customer.updated', customer, this.store.nowFor(id), previous);
    return customer;
  }

  @Get('customers')
  listCustomers(@StripeQuery() query: unknown) {
    const q = new Params(query);
    const email = q.string('email');
    const all = [...this.store.customers.values()].filter((c) => !email || c.email === email);
    return paginate(all, q, '/v1/customers');
  }

  @Delete('customers/:id')
  deleteCustomer(@Param('id') id: string) {
    const customer = this.find(id);
    this.store.customers.delete(id);
    this.store.emit('customer.deleted', customer, this.store.now(customer.test_clock));
    return { id, object: 'customer', deleted: true };
  }
}
