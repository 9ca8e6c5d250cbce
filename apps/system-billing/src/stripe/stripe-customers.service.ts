import { Injectable } from '@nestjs/common';
import type { ContractChange } from '@revline/billing-port';
import { BusinessError } from '@revline/messaging';
import type Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { ContractLinkEntity } from '../persistence/entities';
import { RequestLedger } from './request-ledger';
import { StripeGateway } from './stripe-gateway';
import { idOf, stripeKey } from './stripe-keys';

const CLOCK_CACHE_SIZE = 10_000;

/** Stripe customers: the one that carries a contract, and its "now" (its test clock's time, if it lives on one). */
@Injectable()
export class StripeCustomers {
  /** customer id → its test clock id, or null for a customer living in real time. */
  private readonly clocks = new Map<string, string | null>();

  constructor(
    private readonly gateway: StripeGateway,
    private readonly ledger: RequestLedger,
    private readonly dataSource: DataSource,
  ) {}

  async link(contractId: string): Promise<ContractLinkEntity | null> {
    return this.dataSource.getRepository(ContractLinkEntity).findOneBy({ contractId });
  }

  async customerFor(change: ContractChange, key: string): Promise<string> {
    if (change.customer.billingCustomerId) return change.customer.billingCustomerId;
    const link = await this.link(change.contractId);
    if (link) return link.customerId;
    const created = await this.ledger.once(
      stripeKey(key, 'customer'),
      'customers.create',
      () =>
        Promise.resolve({
          name: change.customer.name,
          metadata: { revline_crm_account_id: change.customer.crmAccountId },
        }),
      (params, idempotencyKey) =>
        this.gateway
          .call('customers.create', (s) => s.customers.create(params, { idempotencyKey }))
          .then((c) => ({ id: c.id })),
    );
    return created.id;
  }

  /**
   * The billing platform's "now" for a customer: its test clock's time, if it lives on one. A customer's test clock
   * is fixed when the customer is created, so which clock (or none) is read once per customer; the clock's time
   * moves, so it is read each time.
   */
  async billingNow(customerId: string): Promise<number> {
    let clock = this.clocks.get(customerId);
    if (clock === undefined) {
      const customer = await this.gateway.call('customers.retrieve', (s) => s.customers.retrieve(customerId));
      if ('deleted' in customer && customer.deleted)
        throw new BusinessError('billing_rejected', `Customer ${customerId} is deleted`);
      clock = idOf((customer as Stripe.Customer).test_clock);
      if (this.clocks.size >= CLOCK_CACHE_SIZE) this.clocks.clear();
      this.clocks.set(customerId, clock);
    }
    if (!clock) return Math.floor(Date.now() / 1000);
    const id = clock;
    const found = await this.gateway.call('testClocks.retrieve', (s) =>
      s.testHelpers.testClocks.retrieve(id),
    );
    return found.frozen_time;
  }
}
