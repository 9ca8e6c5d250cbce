import { Injectable, Logger } from '@nestjs/common';
import type {
  BillingDocumentRow,
  ContractChange,
  ContractChangeResult,
  ContractLineItem,
  CreditIssue,
  CreditResult,
  InvoiceLineField,
  InvoiceLineView,
  InvoiceView,
  SubscriptionItemRow,
  SubscriptionView,
  UsageReport,
  UsageResult,
} from '@revline/billing-port';
import { BillingPort } from '@revline/billing-port';
import { createHash } from 'node:crypto';
import { BusinessError } from '@revline/messaging';
import type Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { ContractLinkEntity } from '../persistence/entities';
import {
  chargesAmount,
  CONTRACT_KEY,
  contractMetadata,
  contractPriceParams,
  priceLookupKey,
  unitAmountMinor,
  currentPhaseItems,
  itemDiff,
  itemIdsOf,
  LINE_KEY,
  licensedPeriod,
  newItems,
  phaseItems,
} from './contract-change.plans';
import type { PricedItem } from './contract-change.plans';
import { invoiceLinesSql, sigmaLineReader, sigmaSeconds, sigmaTimestamp, toLineView } from './invoice-lines';
import { RequestLedger } from './request-ledger';
import { StripeConfig } from './stripe.config';
import { StripeGateway } from './stripe-gateway';
import type { SigmaQueryRun } from './stripe-sigma';
import { StripeSigma } from './stripe-sigma';
import { idOf, isoDay, money, startOfDay, stripeKey } from './stripe-keys';

const USAGE_CONCURRENCY = 16;
const CLOCK_CACHE_SIZE = 10_000;
const PRICE_CACHE_SIZE = 10_000;

/** A contract change with every line on the price that bills it. */
type PricedChange = Omit<ContractChange, 'items' | 'rampSteps'> & {
  items: PricedItem[];
  rampSteps: Array<{ startDate: string; items: PricedItem[] }>;
};

/** Stripe Billing behind the billing port. */
@Injectable()
export class StripeBillingAdapter extends BillingPort {
  readonly vendor = 'stripe';
  private readonly logger = new Logger('StripeBillingAdapter');
  /** Whether Stripe has refused a Sigma query run yet (warned about once; each export still tries Sigma first). */
  private sigmaRefused = false;
  /** customer id → its test clock id, or null for a customer living in real time. */
  private readonly clocks = new Map<string, string | null>();
  /** Catalogue prices by id (a price's amount, currency and interval never change), and contract prices by key. */
  private readonly prices = new Map<string, Stripe.Price>();
  private readonly contractPrices = new Map<string, string>();

  constructor(
    private readonly gateway: StripeGateway,
    private readonly ledger: RequestLedger,
    private readonly dataSource: DataSource,
    private readonly sigma: StripeSigma,
    private readonly config: StripeConfig,
  ) {
    super();
  }

  private summary(sub: Stripe.Subscription, customerId: string): ContractChangeResult {
    return {
      customerId,
      subscriptionId: sub.id,
      status: sub.status,
      itemIds: itemIdsOf(sub),
      ...(idOf(sub.latest_invoice) ? { invoiceId: idOf(sub.latest_invoice) ?? undefined } : {}),
      ...(idOf(sub.schedule) ? { scheduleId: idOf(sub.schedule) ?? undefined } : {}),
    };
  }

  /**
   * The billing platform's "now" for a customer: its test clock's time, if it lives on one. A customer's test clock
   * is fixed when the customer is created, so which clock (or none) is read once per customer; the clock's time
   * moves, so it is read each time.
   */
  private async billingNow(customerId: string): Promise<number> {
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

  private async link(contractId: string): Promise<ContractLinkEntity | null> {
    return this.dataSource.getRepository(ContractLinkEntity).findOneBy({ contractId });
  }

  private async customerFor(change: ContractChange, key: string): Promise<string> {
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

  /** The catalogue price, read once per process. */
  private async cataloguePrice(priceId: string): Promise<Stripe.Price> {
    const cached = this.prices.get(priceId);
    if (cached) return cached;
    const price = await this.gateway.call('prices.retrieve', (s) => s.prices.retrieve(priceId));
    if (this.prices.size >= PRICE_CACHE_SIZE) this.prices.clear();
    this.prices.set(priceId, price);
    return price;
  }

  private async priceByLookupKey(lookupKey: string): Promise<string | null> {
    const page = await this.gateway.call('prices.list', (s) =>
      s.prices.list({ lookup_keys: [lookupKey], limit: 1 }),
    );
    return page.data.at(0)?.id ?? null;
  }

  /**
   * The price that bills a line: the catalogue price, or — when the contract's unit amount is another — the price of
   * the same product, currency and interval with that amount, found by its lookup key or created once (under the
   * command's idempotency key, through the request ledger; a concurrent command that created it first wins).
   */
  private async priceFor(item: ContractLineItem, key: string): Promise<string> {
    if (item.unitAmount === undefined) return item.priceId;
    const catalogue = await this.cataloguePrice(item.priceId);
    let minor: string;
    try {
      minor = unitAmountMinor(item.unitAmount, catalogue.currency);
    } catch (error) {
      throw new BusinessError('billing_rejected', `Line ${item.lineId}: ${(error as Error).message}`, {
        lineId: item.lineId,
      });
    }
    if (chargesAmount(catalogue, minor)) return item.priceId;
    if (catalogue.billing_scheme !== 'per_unit')
      throw new BusinessError(
        'billing_rejected',
        `Line ${item.lineId}: price ${catalogue.id} is ${catalogue.billing_scheme}; a unit amount of ${item.unitAmount} cannot replace it`,
        { lineId: item.lineId, priceId: catalogue.id },
      );
    const lookupKey = priceLookupKey(catalogue.id, item.unitAmount);
    const known = this.contractPrices.get(lookupKey) ?? (await this.priceByLookupKey(lookupKey));
    const id =
      known ??
      (await this.ledger
        .once(
          stripeKey(key, `price_${createHash('sha256').update(lookupKey).digest('hex').slice(0, 16)}`),
          'prices.create',
          () => Promise.resolve(contractPriceParams(catalogue, item.unitAmount ?? '', lookupKey)),
          (params, idempotencyKey) =>
            this.gateway
              .call('prices.create', (s) => s.prices.create(params, { idempotencyKey }))
              .then((price) => ({ id: price.id })),
        )
        .then((created) => created.id)
        .catch(async (error: unknown) => {
          // Another command created the price between our look-up and our create: Stripe keeps one per key.
          const raced = error instanceof BusinessError ? await this.priceByLookupKey(lookupKey) : null;
          if (raced) return raced;
          throw error;
        }));
    if (this.contractPrices.size >= PRICE_CACHE_SIZE) this.contractPrices.clear();
    this.contractPrices.set(lookupKey, id);
    return id;
  }

  /** The line on the price that bills it, marked when that price is metered (the catalogue's, never replaced). */
  private async priced(item: ContractLineItem, key: string): Promise<PricedItem> {
    const catalogue = await this.cataloguePrice(item.priceId);
    if (catalogue.recurring?.usage_type === 'metered')
      return { lineId: item.lineId, priceId: item.priceId, quantity: item.quantity, metered: true };
    return { lineId: item.lineId, priceId: await this.priceFor(item, key), quantity: item.quantity };
  }

  /** The change with every line on the price that bills it. */
  private async withPrices(change: ContractChange, key: string): Promise<PricedChange> {
    const resolve = async (items: ContractLineItem[]): Promise<PricedItem[]> => {
      const out: PricedItem[] = [];
      for (const item of items) out.push(await this.priced(item, key));
      return out;
    };
    const steps: PricedChange['rampSteps'] = [];
    for (const step of change.rampSteps) steps.push({ ...step, items: await resolve(step.items) });
    return { ...change, items: await resolve(change.items), rampSteps: steps };
  }

  async applyContractChange(requested: ContractChange, key: string): Promise<ContractChangeResult> {
    const change = await this.withPrices(requested, key);
    const customerId = await this.customerFor(change, key);
    const at = startOfDay(change.effectiveDate);
    switch (change.kind) {
      case 'create':
        return this.create(change, key, customerId, at);
      case 'amend':
      case 'renew':
        return this.amend(change, key, customerId, at);
      case 'cancel':
        return this.cancel(change, key, customerId, at);
    }
  }

  private async create(
    change: PricedChange,
    key: string,
    customerId: string,
    at: number,
  ): Promise<ContractChangeResult> {
    const now = await this.billingNow(customerId);
    if (change.rampSteps.length > 0 || at > now) {
      const steps = [{ startDate: change.effectiveDate, items: change.items }, ...change.rampSteps];
      const schedule = await this.ledger.once(
        stripeKey(key, 'schedule'),
        'subscriptionSchedules.create',
        () =>
          Promise.resolve({
            customer: customerId,
            start_date: at > now ? at : ('now' as const),
            end_behavior: 'release' as const,
            metadata: contractMetadata(change),
            phases: steps.map((step, i) => {
              const next = steps.at(i + 1);
              return {
                items: phaseItems(step.items),
                // A ramp step mid-period is prorated as the command asks (invoiced at once for a booking).
                proration_behavior: change.proration,
                ...(next ? { end_date: startOfDay(next.startDate) } : {}),
              };
            }),
          }),
        (params, idempotencyKey) =>
          this.gateway
            .call('subscriptionSchedules.create', (s) =>
              s.subscriptionSchedules.create(params, {
                idempotencyKey,
                expand: ['subscription'],
              } as Stripe.RequestOptions),
            )
            .then((created) => this.scheduleSummary(created, customerId)),
      );
      return schedule;
    }
    return this.ledger.once(
      stripeKey(key, 'subscription'),
      'subscriptions.create',
      () =>
        Promise.resolve({
          customer: customerId,
          items: newItems(change.items),
          collection_method: 'send_invoice' as const,
          days_until_due: 30,
          proration_behavior: change.proration,
          metadata: contractMetadata(change),
          ...(at < now ? { backdate_start_date: at } : {}),
        }),
      (params, idempotencyKey) =>
        this.gateway
          .call('subscriptions.create', (s) => s.subscriptions.create(params, { idempotencyKey }))
          .then((sub) => this.summary(sub, customerId)),
    );
  }

  private async scheduleSummary(
    schedule: Stripe.SubscriptionSchedule,
    customerId: string,
  ): Promise<ContractChangeResult> {
    const subId = idOf(schedule.subscription);
    if (!subId)
      return {
        customerId,
        subscriptionId: '',
        status: schedule.status,
        itemIds: {},
        scheduleId: schedule.id,
      };
    const sub = await this.gateway.call('subscriptions.retrieve', (s) => s.subscriptions.retrieve(subId));
    return { ...this.summary(sub, customerId), scheduleId: schedule.id };
  }

  private async subscriptionOf(change: ContractChange): Promise<Stripe.Subscription> {
    const id = change.subscriptionId ?? (await this.link(change.contractId))?.subscriptionId;
    if (!id)
      throw new BusinessError(
        'unknown_contract',
        `Contract ${change.contractId} has no billing subscription yet`,
        {
          contractId: change.contractId,
        },
      );
    return this.gateway.call('subscriptions.retrieve', (s) => s.subscriptions.retrieve(id));
  }

  private async amend(
    change: PricedChange,
    key: string,
    customerId: string,
    at: number,
  ): Promise<ContractChangeResult> {
    const current = await this.subscriptionOf(change);
    const now = await this.billingNow(customerId);
    const periodStart = licensedPeriod(current)?.start ?? now;
    if (at > now) return this.futureChange(change, key, customerId, current, at, periodStart);
    return this.ledger.once(
      stripeKey(key, 'update'),
      'subscriptions.update',
      () =>
        Promise.resolve({
          items: itemDiff(current.items.data, change.items),
          proration_behavior: change.proration,
          proration_date: Math.max(at, periodStart),
          metadata: contractMetadata(change),
          ...(change.kind === 'renew' ? { cancel_at_period_end: false } : {}),
        }),
      (params, idempotencyKey) =>
        this.gateway
          .call('subscriptions.update', (s) => s.subscriptions.update(current.id, params, { idempotencyKey }))
          .then((sub) => this.summary(sub, customerId)),
    );
  }

  /** A change dated in the future: a schedule on the subscription with a phase starting on that date. */
  private async futureChange(
    change: PricedChange,
    key: string,
    customerId: string,
    current: Stripe.Subscription,
    at: number,
    periodStart: number,
  ): Promise<ContractChangeResult> {
    const scheduleId =
      idOf(current.schedule) ??
      (
        await this.ledger.once(
          stripeKey(key, 'schedule'),
          'subscriptionSchedules.create',
          () => Promise.resolve({ from_subscription: current.id }),
          (params, idempotencyKey) =>
            this.gateway
              .call('subscriptionSchedules.create', (s) =>
                s.subscriptionSchedules.create(params, { idempotencyKey }),
              )
              .then((schedule) => ({ id: schedule.id })),
        )
      ).id;
    const currentItems = currentPhaseItems(current);
    const steps = [{ startDate: change.effectiveDate, items: change.items }, ...change.rampSteps];
    await this.ledger.once(
      stripeKey(key, 'phases'),
      'subscriptionSchedules.update',
      () =>
        Promise.resolve({
          proration_behavior: change.proration,
          metadata: contractMetadata(change),
          phases: [
            { start_date: periodStart, end_date: at, items: currentItems },
            ...steps.map((step, i) => {
              const next = steps.at(i + 1);
              return {
                start_date: startOfDay(step.startDate),
                items: phaseItems(step.items),
                ...(next ? { end_date: startOfDay(next.startDate) } : {}),
              };
            }),
          ],
        }),
      (params, idempotencyKey) =>
        this.gateway
          .call('subscriptionSchedules.update', (s) =>
            s.subscriptionSchedules.update(scheduleId, params, { idempotencyKey }),
          )
          .then((schedule) => ({ id: schedule.id })),
    );
    // Nothing is invoiced now: the change's invoice is the one the billing platform raises on its date.
    const summary = this.summary(current, customerId);
    delete summary.invoiceId;
    return { ...summary, scheduleId };
  }

  private async cancel(
    change: PricedChange,
    key: string,
    customerId: string,
    at: number,
  ): Promise<ContractChangeResult> {
    const current = await this.subscriptionOf(change);
    if (current.status === 'canceled') return this.summary(current, customerId);
    const now = await this.billingNow(customerId);
    const periodEnd = licensedPeriod(current)?.end ?? now;
    if (at <= now) {
      return this.ledger.once(
        stripeKey(key, 'cancel'),
        'subscriptions.cancel',
        () =>
          Promise.resolve({
            prorate: change.proration !== 'none',
            invoice_now: change.proration === 'always_invoice',
          }),
        async (params) => {
          const sub = await this.gateway.call('subscriptions.cancel', (s) =>
            s.subscriptions.cancel(current.id, params),
          );
          return this.summary(sub, customerId);
        },
      );
    }
    return this.ledger.once(
      stripeKey(key, 'cancel_at'),
      'subscriptions.update',
      () =>
        Promise.resolve(
          at >= periodEnd
            ? { cancel_at_period_end: true, proration_behavior: change.proration }
            : { cancel_at: at, proration_behavior: change.proration },
        ),
      (params, idempotencyKey) =>
        this.gateway
          .call('subscriptions.update', (s) => s.subscriptions.update(current.id, params, { idempotencyKey }))
          .then((sub) => this.summary(sub, customerId)),
    );
  }

  async reportUsage(report: UsageReport, key: string): Promise<UsageResult> {
    let accepted = 0;
    let duplicates = 0;
    const queue = [...report.events];
    const worker = async () => {
      for (let event = queue.shift(); event; event = queue.shift()) {
        const identifier = event.identifier;
        try {
          await this.gateway.call('billing.meterEvents.create', (s) =>
            s.billing.meterEvents.create(
              {
                event_name: report.meterEventName,
                identifier,
                timestamp: Math.floor(Date.parse(event.timestamp) / 1000),
                payload: { stripe_customer_id: event.customerId, value: event.value },
              },
              { idempotencyKey: stripeKey(key, `usage_${identifier}`) },
            ),
          );
          accepted += 1;
        } catch (error) {
          const details = error instanceof BusinessError ? error.details : {};
          if (details.code === 'duplicate_meter_event') duplicates += 1;
          else throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(USAGE_CONCURRENCY, queue.length) }, () => worker()));
    return { accepted, duplicates };
  }

  async issueCredit(credit: CreditIssue, key: string): Promise<CreditResult> {
    return this.ledger.once(
      stripeKey(key, 'credit_note'),
      'creditNotes.create',
      () =>
        Promise.resolve({
          invoice: credit.invoiceId,
          reason: credit.reason,
          lines: credit.lines.map((line) => ({
            type: 'invoice_line_item' as const,
            invoice_line_item: line.invoiceLineId,
            amount: Number(line.amount.amountMinor),
          })),
        }),
      (params, idempotencyKey) =>
        this.gateway
          .call('creditNotes.create', (s) => s.creditNotes.create(params, { idempotencyKey }))
          .then((note) => ({ creditNoteId: note.id, total: money(note.total, note.currency) })),
    );
  }

  async customerSubscriptions(customerId: string): Promise<SubscriptionView[]> {
    const views: SubscriptionView[] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const page = await this.gateway.call('subscriptions.list', (s) =>
        s.subscriptions.list({
          customer: customerId,
          status: 'all',
          limit: 100,
          starting_after: startingAfter,
        }),
      );
      for (const sub of page.data) views.push(toSubscriptionView(sub));
      if (!page.has_more || page.data.length === 0) return views;
      startingAfter = page.data[page.data.length - 1]?.id;
    }
  }

  async invoicesOfPeriod(query: { from: string; to: string; customerId?: string }): Promise<InvoiceView[]> {
    const views: InvoiceView[] = [];
    for await (const invoice of this.invoices(query.from, query.to, query.customerId))
      views.push(toInvoiceView(invoice));
    return views;
  }

  private async *invoices(from: string, to: string, customerId?: string): AsyncGenerator<Stripe.Invoice> {
    let startingAfter: string | undefined;
    for (;;) {
      const page = await this.gateway.call('invoices.list', (s) =>
        s.invoices.list({
          limit: 100,
          starting_after: startingAfter,
          created: { gte: startOfDay(from), lt: startOfDay(to) + 86_400 },
          ...(customerId ? { customer: customerId } : {}),
        }),
      );
      for (const invoice of page.data) if (invoice.status !== 'draft') yield invoice;
      if (!page.has_more || page.data.length === 0) return;
      startingAfter = page.data[page.data.length - 1]?.id;
    }
  }

  /**
   * Every line of every invoice (not a draft) created in the period, in pages of `pageSize`.
   *
   * With STRIPE_INVOICE_LINES_EXPORT=sigma (the default) the lines are read through Stripe Sigma: one query run
   * answers Sigma's snapshot time T (`data_load_time`), a second every line of the period's invoices as of that
   * snapshot, its CSV streamed; then, because Sigma lags the API (on Stripe by up to about three hours), the
   * invoices created at or after T are paged from the list API, those Sigma already answered skipped, so each
   * invoice is exported once. What the lag means: an invoice created before T is exported as it was at T, so one
   * finalised (or voided, or first taxed) after T shows its state at T, a draft then is missing, until the next
   * run. When Stripe refuses the query run (an account without Sigma) the list is read instead, with a warning
   * logged the first time.
   *
   * With `list`, or in that fallback, the period is cut into EXPORT_SLICES created-time slices
   * (`created[gte]`/`created[lt]`), each paged on its own with `starting_after` (limit 100, as Stripe allows), up
   * to EXPORT_CONCURRENCY slices at a time; pages are yielded as they arrive, so the order is not the list's.
   */
  async *exportInvoiceLines(query: {
    from: string;
    to: string;
    pageSize: number;
    fields?: readonly InvoiceLineField[];
  }): AsyncIterable<InvoiceLineView[]> {
    const gte = startOfDay(query.from);
    const lt = startOfDay(query.to) + 86_400;
    if (this.config.STRIPE_INVOICE_LINES_EXPORT === 'sigma') {
      let run: SigmaQueryRun | null = null;
      try {
        run = await this.sigma.start('select data_load_time');
      } catch (error) {
        if (!(error instanceof BusinessError)) throw error;
        if (!this.sigmaRefused)
          this.logger.warn(
            `Stripe refused a Sigma query run (${error.message}); invoice lines are exported from the list API`,
          );
        this.sigmaRefused = true;
      }
      if (run) {
        yield* this.sigmaInvoiceLines(run, { gte, lt }, query.pageSize, query.fields);
        return;
      }
    }
    yield* this.listInvoiceLines(gte, lt, query.pageSize);
  }

  /**
   * The Sigma export (see exportInvoiceLines), the run of `select data_load_time` started. The period is queried in
   * SIGMA_SLICES created-time slices, all started at once and read in order: while one slice's file is downloaded and
   * parsed, Stripe is already running the next ones.
   */
  private async *sigmaInvoiceLines(
    loadTimeRun: SigmaQueryRun,
    { gte, lt }: { gte: number; lt: number },
    pageSize: number,
    fields?: readonly InvoiceLineField[],
  ): AsyncGenerator<InvoiceLineView[]> {
    // T first: Sigma's snapshots only move forward, so every slice started after it reads a snapshot of T or later,
    // and the list read from T on misses nothing.
    const loadTime = await this.sigmaLoadTime(loadTimeRun);
    const runs = await Promise.all(
      createdSlices(gte, lt, SIGMA_SLICES).map(([from, to]) =>
        this.sigma.start(invoiceLinesSql(from, to, fields)),
      ),
    );
    // Invoices Sigma answers that were created at or after T are also on the list read below: remembered to skip.
    const since = sigmaTimestamp(loadTime);
    const fromSigma = new Set<string>();
    let buffer: InvoiceLineView[] = [];
    for (const run of runs) {
      let read: ((row: readonly string[]) => InvoiceLineView) | null = null;
      let created = -1;
      for await (const { header, rows } of this.sigma.fileRows(await this.sigma.resultFile(run))) {
        if (!read) {
          read = sigmaLineReader(header);
          created = header.indexOf('created');
        }
        for (const row of rows) {
          const view = read(row);
          if ((row[created] ?? '') >= since) fromSigma.add(view.invoiceId);
          buffer.push(view);
          if (buffer.length >= pageSize) {
            yield buffer;
            buffer = [];
          }
        }
      }
    }
    if (buffer.length > 0) yield buffer;
    const after = Math.max(gte, loadTime);
    if (after >= lt) return;
    const createdSince = async function* (this: StripeBillingAdapter) {
      for await (const invoice of this.invoicesCreated(after, lt))
        if (!fromSigma.has(invoice.id)) yield invoice;
    }.bind(this);
    yield* this.linePages(createdSince(), pageSize);
  }

  /** The lines of the invoices as views, in pages of `pageSize`. */
  private async *linePages(
    invoices: AsyncIterable<Stripe.Invoice>,
    pageSize: number,
  ): AsyncGenerator<InvoiceLineView[]> {
    let buffer: InvoiceLineView[] = [];
    for await (const invoice of invoices)
      for (const line of await this.linesOf(invoice)) {
        buffer.push(toLineView(invoice, line));
        if (buffer.length >= pageSize) {
          yield buffer;
          buffer = [];
        }
      }
    if (buffer.length > 0) yield buffer;
  }

  /** Sigma's snapshot time, in Unix seconds, from the run of `select data_load_time`. */
  private async sigmaLoadTime(run: SigmaQueryRun): Promise<number> {
    for await (const { header, rows } of this.sigma.fileRows(await this.sigma.resultFile(run))) {
      const cell = rows.at(0)?.at(Math.max(0, header.indexOf('data_load_time')));
      if (cell !== undefined) return sigmaSeconds(cell);
    }
    throw new Error('Sigma answered no data_load_time');
  }

  /** The list export (see exportInvoiceLines): created-time slices paged side by side. */
  private async *listInvoiceLines(
    gte: number,
    lt: number,
    pageSize: number,
  ): AsyncGenerator<InvoiceLineView[]> {
    const slices = createdSlices(gte, lt, EXPORT_SLICES);
    yield* mergeConcurrently(
      slices.map(
        ([from, to]) =>
          () =>
            this.linePages(this.invoicesCreated(from, to), pageSize),
      ),
      EXPORT_CONCURRENCY,
    );
  }

  private async *invoicesCreated(gte: number, lt: number): AsyncGenerator<Stripe.Invoice> {
    let startingAfter: string | undefined;
    for (;;) {
      const page = await this.gateway.call('invoices.list', (s) =>
        s.invoices.list({ limit: 100, starting_after: startingAfter, created: { gte, lt } }),
      );
      for (const invoice of page.data) if (invoice.status !== 'draft') yield invoice;
      if (!page.has_more || page.data.length === 0) return;
      startingAfter = page.data[page.data.length - 1]?.id;
    }
  }

  /**
   * Every item of every subscription, the account cut into EXPORT_SLICES created-time slices paged side by side
   * (EXPORT_CONCURRENCY at a time; pages are yielded as they arrive). The slices span from the newest subscription
   * back to the oldest, found by looking back in doubling steps (is there one created before newest − 1, 2, 4 …
   * days?), so a large account is not one long chain of pages.
   */
  async *exportSubscriptionItems(query: { pageSize: number }): AsyncIterable<SubscriptionItemRow[]> {
    const list = (params: Stripe.SubscriptionListParams) =>
      this.gateway.call('subscriptions.list', (s) => s.subscriptions.list({ status: 'all', ...params }));
    const newest = (await list({ limit: 1 })).data.at(0);
    if (!newest) return;
    const lt = newest.created + 1;
    let span = 86_400;
    while (
      span < OLDEST_SUBSCRIPTION_SECONDS &&
      (await list({ limit: 1, created: { lt: lt - span } })).data.length > 0
    )
      span *= 2;
    const walk = async function* (this: StripeBillingAdapter, created: { gte: number; lt: number }) {
      let startingAfter: string | undefined;
      let buffer: SubscriptionItemRow[] = [];
      for (;;) {
        const page = await list({ limit: 100, created, starting_after: startingAfter });
        for (const sub of page.data) buffer.push(...toItemRows(sub));
        if (buffer.length >= query.pageSize) {
          yield buffer;
          buffer = [];
        }
        if (!page.has_more || page.data.length === 0) break;
        startingAfter = page.data[page.data.length - 1]?.id;
      }
      if (buffer.length > 0) yield buffer;
    }.bind(this);
    yield* mergeConcurrently(
      createdSlices(Math.max(0, lt - span), lt, EXPORT_SLICES).map(
        ([gte, to]) =>
          () =>
            walk({ gte, lt: to }),
      ),
      EXPORT_CONCURRENCY,
    );
  }

  /**
   * Credit notes (not void) and paid invoice payments created in the period, both lists walked side by side page by
   * page (`created` filters the list server-side; the row carries the day the document took effect).
   */
  async *exportDocuments(query: {
    from: string;
    to: string;
    pageSize: number;
  }): AsyncIterable<BillingDocumentRow[]> {
    const created = { gte: startOfDay(query.from), lt: startOfDay(query.to) + 86_400 };
    let buffer: BillingDocumentRow[] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const page = await this.gateway.call('creditNotes.list', (s) =>
        s.creditNotes.list({
          limit: 100,
          created,
          ...(startingAfter ? { starting_after: startingAfter } : {}),
        }),
      );
      for (const note of page.data) {
        if (note.status === 'void') continue;
        const taxes = note.total_taxes ?? null;
        buffer.push({
          kind: 'credit_note',
          documentId: note.id,
          invoiceId: idOf(note.invoice),
          customerId: idOf(note.customer),
          totalMinor: String(note.total),
          taxMinor: taxes ? String(taxes.reduce((sum, t) => sum + t.amount, 0)) : null,
          currency: note.currency.toUpperCase(),
          date: isoDay(note.effective_at ?? note.created),
        });
      }
      if (buffer.length >= query.pageSize) {
        yield buffer;
        buffer = [];
      }
      if (!page.has_more || page.data.length === 0) break;
      startingAfter = page.data.at(-1)?.id;
    }
    startingAfter = undefined;
    for (;;) {
      const page = await this.gateway.call('invoicePayments.list', (s) =>
        s.invoicePayments.list({
          limit: 100,
          status: 'paid',
          created,
          ...(startingAfter ? { starting_after: startingAfter } : {}),
        }),
      );
      for (const payment of page.data) {
        if (payment.status !== 'paid') continue;
        buffer.push({
          kind: 'payment',
          documentId: payment.id,
          invoiceId: idOf(payment.invoice),
          customerId: null,
          totalMinor: String(payment.amount_paid ?? 0),
          taxMinor: null,
          currency: payment.currency.toUpperCase(),
          date: isoDay(payment.status_transitions.paid_at ?? payment.created),
        });
      }
      if (buffer.length >= query.pageSize) {
        yield buffer;
        buffer = [];
      }
      if (!page.has_more || page.data.length === 0) break;
      startingAfter = page.data.at(-1)?.id;
    }
    if (buffer.length > 0) yield buffer;
  }

  private async linesOf(invoice: Stripe.Invoice): Promise<Stripe.InvoiceLineItem[]> {
    const lines = [...invoice.lines.data];
    let more = invoice.lines.has_more;
    while (more) {
      const after = lines[lines.length - 1]?.id;
      const page = await this.gateway.call('invoices.listLineItems', (s) =>
        s.invoices.listLineItems(invoice.id, { limit: 100, starting_after: after }),
      );
      lines.push(...page.data);
      more = page.has_more && page.data.length > 0;
    }
    return lines;
  }
}

function toSubscriptionView(sub: Stripe.Subscription): SubscriptionView {
  const first = sub.items.data.at(0);
  return {
    subscriptionId: sub.id,
    customerId: idOf(sub.customer) ?? '',
    status: sub.status,
    contractId: sub.metadata[CONTRACT_KEY] ?? null,
    currentPeriodStart: isoDay(first ? first.current_period_start : sub.start_date),
    currentPeriodEnd: isoDay(first ? first.current_period_end : sub.start_date),
    cancelAtPeriodEnd: sub.cancel_at_period_end,
    items: sub.items.data.map((item) => ({
      itemId: item.id,
      lineId: item.metadata[LINE_KEY] ?? null,
      priceId: item.price.id,
      quantity: item.quantity ?? 1,
    })),
  };
}

function toItemRows(sub: Stripe.Subscription): SubscriptionItemRow[] {
  return sub.items.data.map((item) => ({
    subscriptionId: sub.id,
    customerId: idOf(sub.customer) ?? '',
    status: sub.status,
    contractId: sub.metadata[CONTRACT_KEY] ?? null,
    itemId: item.id,
    lineId: item.metadata[LINE_KEY] ?? null,
    priceId: item.price.id,
    quantity: item.quantity ?? 1,
    unitAmountMinor: item.price.unit_amount === null ? null : String(item.price.unit_amount),
    currency: item.price.currency.toUpperCase(),
    interval: item.price.recurring?.interval ?? null,
    currentPeriodStart: isoDay(item.current_period_start),
    currentPeriodEnd: isoDay(item.current_period_end),
    startDate: isoDay(sub.start_date),
  }));
}

function subscriptionOfInvoice(invoice: Stripe.Invoice): string | null {
  return idOf(invoice.parent?.subscription_details?.subscription);
}

function toInvoiceView(invoice: Stripe.Invoice): InvoiceView {
  const finalized = invoice.status_transitions.finalized_at;
  return {
    invoiceId: invoice.id,
    number: invoice.number,
    customerId: idOf(invoice.customer) ?? '',
    subscriptionId: subscriptionOfInvoice(invoice),
    status: invoice.status ?? 'draft',
    issuedOn: finalized ? isoDay(finalized) : null,
    total: money(invoice.total, invoice.currency),
    amountDue: money(invoice.amount_due, invoice.currency),
    amountPaid: money(invoice.amount_paid, invoice.currency),
  };
}

/**
 * How many created-time slices an invoice-line export is cut into, and how many are paged at once: on 2 cores, 4
 * keeps the Stripe pages coming while one is parsed; 8 only adds garbage and contention (1,000,000 lines: 21 s at 4,
 * 29 s at 8, each app in its own process).
 */
const EXPORT_SLICES = 64;

/** How far back a subscription export looks at most: longer than any account has existed. */
const OLDEST_SUBSCRIPTION_SECONDS = 64 * 365 * 86_400;

/**
 * How many created-time slices a Sigma export queries (each its own query run, all started at once): enough that
 * the first file arrives early and the others are ready by the time it is read.
 */
const SIGMA_SLICES = 8;

/** [gte, lt) cut into `count` consecutive created-time slices of equal length (the last may be shorter). */
function createdSlices(gte: number, lt: number, count: number): Array<[number, number]> {
  const step = Math.max(1, Math.ceil((lt - gte) / count));
  const slices: Array<[number, number]> = [];
  for (let start = gte; start < lt; start += step) slices.push([start, Math.min(lt, start + step)]);
  return slices;
}
const EXPORT_CONCURRENCY = 4;

/**
 * Runs up to `concurrency` of the sources at a time and yields their items as they come: a new source starts when
 * one is exhausted. Each source is pulled one item ahead at most (backpressure).
 */
async function* mergeConcurrently<T>(
  sources: Array<() => AsyncIterator<T>>,
  concurrency: number,
): AsyncGenerator<T> {
  const pending = new Map<number, Promise<{ key: number; result: IteratorResult<T> }>>();
  const running = new Map<number, AsyncIterator<T>>();
  let next = 0;
  const pull = (key: number, iterator: AsyncIterator<T>) => {
    const step = iterator.next().then((result) => ({ key, result }));
    step.catch(() => undefined); // raced (and rethrown) on the next turn; not unhandled meanwhile
    pending.set(key, step);
  };
  const startOne = () => {
    const source = sources.at(next);
    if (!source) return;
    const key = next;
    next += 1;
    const iterator = source();
    running.set(key, iterator);
    pull(key, iterator);
  };
  try {
    while (running.size < concurrency && next < sources.length) startOne();
    while (pending.size > 0) {
      const { key, result } = await Promise.race(pending.values());
      pending.delete(key);
      const iterator = running.get(key);
      if (!iterator) continue;
      if (result.done) {
        running.delete(key);
        startOne();
        continue;
      }
      pull(key, iterator);
      yield result.value;
    }
  } finally {
    for (const iterator of running.values()) iterator.return?.().catch(() => undefined);
  }
}
