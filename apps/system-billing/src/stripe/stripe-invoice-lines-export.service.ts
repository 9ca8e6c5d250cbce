import { Injectable, Logger } from '@nestjs/common';
import type { InvoiceLineField, InvoiceLineView } from '@revline/billing-port';
import { BusinessError } from '@revline/messaging';
import type Stripe from 'stripe';
import { createdSlices, EXPORT_CONCURRENCY, EXPORT_SLICES, mergeConcurrently } from './export-slices';
import { invoiceLinesSql, sigmaLineReader, sigmaSeconds, sigmaTimestamp, toLineView } from './invoice-lines';
import { StripeConfig } from './stripe.config';
import { StripeGateway } from './stripe-gateway';
import { startOfDay } from './stripe-keys';
import { stripeList, stripePages } from './stripe-paging';
import type { SigmaQueryRun } from './stripe-sigma';
import { StripeSigma } from './stripe-sigma';

/**
 * How many created-time slices a Sigma export queries (each its own query run, all started at once): enough that
 * the first file arrives early and the others are ready by the time it is read.
 */
const SIGMA_SLICES = 8;

/** The invoice-line export for reconciliation: Sigma first, the list API after Sigma's snapshot or instead of it. */
@Injectable()
export class StripeInvoiceLinesExport {
  private readonly logger = new Logger('StripeInvoiceLinesExport');
  /** Whether Stripe has refused a Sigma query run yet (warned about once; each export still tries Sigma first). */
  private sigmaRefused = false;

  constructor(
    private readonly gateway: StripeGateway,
    private readonly sigma: StripeSigma,
    private readonly config: StripeConfig,
  ) {}

  /**
   * Every line of every invoice (not a draft) created in the period, in pages of `pageSize`.
   *
   * With STRIPE_INVOICE_LINES_EXPORT=sigma (opt-in; `list` is the default) the lines are read through Stripe Sigma: one query run
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
          created = header.indexOf('date');
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
    const createdSince = async function* (this: StripeInvoiceLinesExport) {
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

  /** The invoices created in [gte, lt), drafts left out. */
  private async *invoicesCreated(gte: number, lt: number): AsyncGenerator<Stripe.Invoice> {
    for await (const invoice of stripeList(this.gateway, 'invoices.list', (s, page) =>
      s.invoices.list({ created: { gte, lt }, ...page }),
    ))
      if (invoice.status !== 'draft') yield invoice;
  }

  /** Every line of an invoice: those it embeds, then the next pages of its line list. */
  private async linesOf(invoice: Stripe.Invoice): Promise<Stripe.InvoiceLineItem[]> {
    const lines = [...invoice.lines.data];
    if (!invoice.lines.has_more) return lines;
    for await (const page of stripePages(
      this.gateway,
      'invoices.listLineItems',
      (s, page) => s.invoices.listLineItems(invoice.id, page),
      lines.at(-1)?.id,
    ))
      lines.push(...page);
    return lines;
  }
}
