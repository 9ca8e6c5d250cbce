import { Injectable } from '@nestjs/common';
import type { ContractChange, PostalAddress } from '@revline/billing-port';
import { BusinessError } from '@revline/messaging';
import { createHash } from 'node:crypto';
import type Stripe from 'stripe';
import type { ContractLinkRow } from '../persistence/billing-rows.repository';
import { BillingRowsRepository } from '../persistence/billing-rows.repository';
import { RequestLedger } from './request-ledger';
import { StripeGateway } from './stripe-gateway';
import { idOf, stripeKey } from './stripe-keys';

const CLOCK_CACHE_SIZE = 10_000;

/** The metadata key that names a customer's CRM account on Stripe. */
export const ACCOUNT_METADATA_KEY = 'revline_crm_account_id';

/** The ledger (and Idempotency-Key) of the creation of an account's customer: the account id alone decides it. */
export function accountCustomerKey(crmAccountId: string): string {
  return stripeKey(`crm-account:${crmAccountId}`, 'customer');
}

function digest(value: object): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/** Stripe's address hash from Revline's address. */
function stripeAddress(address: PostalAddress): Stripe.AddressParam {
  return {
    ...(address.line1 ? { line1: address.line1 } : {}),
    ...(address.city ? { city: address.city } : {}),
    ...(address.state ? { state: address.state } : {}),
    ...(address.postalCode ? { postal_code: address.postalCode } : {}),
    ...(address.country ? { country: address.country } : {}),
  };
}

/** Stripe customers: the one that carries a contract, and its "now" (its test clock's time, if it lives on one). */
@Injectable()
export class StripeCustomers {
  /** customer id → its test clock id, or null for a customer living in real time. */
  private readonly clocks = new Map<string, string | null>();

  constructor(
    private readonly gateway: StripeGateway,
    private readonly ledger: RequestLedger,
    private readonly rows: BillingRowsRepository,
  ) {}

  async link(contractId: string): Promise<ContractLinkRow | null> {
    return this.rows.link(contractId);
  }

  /**
   * The Stripe customer of a contract's account: the one the command names, the one the contract already has, or
   * the account's own — one per CRM account, created on its first contract and reused by every later one.
   *
   * The account's customer is created through the request ledger under a key derived from the account id alone, so
   * every contract of the account (on any worker, at the same moment too) plans the same request: the first plan
   * fixes the parameters, concurrent callers send that very request under the same Idempotency-Key (Stripe answers
   * the one in flight with a 409, retried, then replays its answer), and once the answer is kept no later contract
   * asks Stripe again. The ledger row outlives Stripe's 24-hour idempotency window, which is what keeps the
   * customer unique after it.
   */
  async customerFor(change: ContractChange): Promise<string> {
    if (change.customer.billingCustomerId) return change.customer.billingCustomerId;
    const link = await this.link(change.contractId);
    if (link) return link.customerId;
    const { crmAccountId, name, address } = change.customer;
    const key = accountCustomerKey(crmAccountId);
    try {
      const created = await this.ledger.once(
        key,
        'customers.create',
        () =>
          Promise.resolve({
            name,
            ...(address ? { address: stripeAddress(address) } : {}),
            metadata: { [ACCOUNT_METADATA_KEY]: crmAccountId },
          }),
        // The parameters are part of the key Stripe sees: a plan made again after a refusal is a new request.
        (params, ledgerKey) =>
          this.gateway
            .call('customers.create', (s) =>
              s.customers.create(params, { idempotencyKey: `${ledgerKey}_${digest(params)}` }),
            )
            // The new customer's test clock (none, unless the params named one): its "now" needs no read.
            .then((c): { id: string; testClock?: string | null } => ({
              id: c.id,
              testClock: idOf(c.test_clock),
            })),
      );
      // A plan answered before the clock was kept with it leaves billingNow to read the customer once.
      if (created.testClock !== undefined) this.rememberClock(created.id, created.testClock);
      return created.id;
    } catch (error) {
      // Refused for its data (a bad address): planned again from the account's data on the retry after the fix.
      if (error instanceof BusinessError) await this.ledger.forget(key);
      throw error;
    }
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
      this.rememberClock(customerId, clock);
    }
    if (!clock) return Math.floor(Date.now() / 1000);
    const id = clock;
    const found = await this.gateway.call('testClocks.retrieve', (s) =>
      s.testHelpers.testClocks.retrieve(id),
    );
    return found.frozen_time;
  }

  private rememberClock(customerId: string, clock: string | null): void {
    if (this.clocks.size >= CLOCK_CACHE_SIZE) this.clocks.clear();
    this.clocks.set(customerId, clock);
  }
}
