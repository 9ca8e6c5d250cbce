import { Injectable } from '@nestjs/common';
import type {
  BillingDocumentPayload,
  ErpDocumentPayload,
  ErpRevenueJournalPayload,
  JobName,
  JobPayloads,
} from '@revline/messaging';
import { BusinessError, Outbox } from '@revline/messaging';
import { allocateByWeights } from '@revline/revenue';
import type { EntityManager } from 'typeorm';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { ActiveMapping } from '../mappings/active-mapping';
import type { CatalogueEntry } from '../mappings/mapping-definition';
import { RevenueRunsConfig } from '../revenue-runs/revenue-runs.config';
import { RevenueRunsRepository } from '../revenue-runs/revenue-runs.repository';
import { FiscalPeriods } from '../shared/fiscal-periods';
import { SagasConfig } from '../shared/sagas.config';

type UsageLine = BillingDocumentPayload['lines'][number] & { entry: CatalogueEntry; periodStart: string };

/** A contract's share of a usage line, and of the invoice's tax. */
interface Charge {
  line: UsageLine;
  amountMinor: bigint;
  taxMinor: bigint;
}

interface Booking {
  saga_id: string;
  correlation_id: string;
  erp_customer: string | null;
  salesforce_account: string | null;
}

export interface UsageInvoiceBooked {
  usageInvoice: string;
  contracts: Array<{
    contractId: string;
    invoice: string;
    journals: Array<{ period: string; amountMinor: string }>;
  }>;
}

const SCALE = 1_000_000n;

/** A non-negative decimal string as an integer of millionths (usage quantities as weights). */
function scaled(quantity: string): bigint {
  const [whole = '0', fraction = ''] = quantity.split('.');
  return BigInt(whole) * SCALE + BigInt(fraction.padEnd(6, '0').slice(0, 6));
}

/** The day before an ISO date (a billing period's end is exclusive). */
function dayBefore(date: string): string {
  const d = new Date(`${date}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

/**
 * A usage invoice (`billing.invoice-issued` whose every line is a metered usage price of the catalogue, billed in
 * arrears) that no saga waits for: Revline books it in the ERP for the contracts whose usage it charges — the ERP
 * invoice on the invoice's date, and the usage revenue as a journal of the period of use (usage
 * overage is revenue of the period of use, even when invoiced after it). The contracts are those whose staged usage
 * (POST /v1/usage) fell in the line's billing period, the amount split by their quantities; the invoice's tax is
 * split over the ERP invoice lines by amount. Every command has a deterministic key and ERP external id, so a
 * redelivered invoice posts nothing twice. The commands are recorded on the contract's booking saga, whose
 * correlation id carries the lineage, and the invoice is claimed by it.
 *
 * Several usage invoices for one contract, obligation and period (a correction) post cumulative versions: the
 * n-th carries the sum of the first n, and the ERP posts only its difference. The versions follow any journal the
 * contract's revenue schedule posted for the cell (nothing, for a usage obligation scheduled at booking).
 */
@Injectable()
export class BookUsageInvoice {
  constructor(
    private readonly mappings: ActiveMapping,
    private readonly outbox: Outbox,
    private readonly lineage: LineageRecorder,
    private readonly config: SagasConfig,
    private readonly posting: RevenueRunsConfig,
    private readonly revenueRuns: RevenueRunsRepository,
    private readonly fiscal: FiscalPeriods,
  ) {}

  /** Books the invoice when it is a usage invoice; null (nothing done) when it is not one. */
  async execute(manager: EntityManager, doc: BillingDocumentPayload): Promise<UsageInvoiceBooked | null> {
    const lines = await this.usageLines(manager, doc);
    if (!lines) return null;
    const byContract = new Map<string, Charge[]>();
    for (const line of lines) {
      for (const share of await this.shares(manager, doc, line))
        byContract.set(share.contractId, [
          ...(byContract.get(share.contractId) ?? []),
          { line, amountMinor: share.amountMinor, taxMinor: 0n },
        ]);
    }
    // The invoice's tax, split over the charges by amount: each ERP invoice carries its part on its lines.
    const charges = [...byContract.values()].flat();
    const tax = BigInt(doc.tax.amountMinor);
    if (tax !== 0n) {
      const taxes = allocateByWeights(
        tax,
        charges.map((c) => (c.amountMinor < 0n ? -c.amountMinor : c.amountMinor)),
      );
      charges.forEach((c, i) => (c.taxMinor = taxes[i] ?? 0n));
    }
    const single = byContract.size === 1;
    const booked: UsageInvoiceBooked = { usageInvoice: doc.documentId, contracts: [] };
    for (const [contractId, charges] of byContract) {
      const booking = await this.booking(manager, contractId);
      await this.lineage.record(
        {
          contractId,
          system: 'billing',
          objectType: 'Invoice',
          externalId: doc.documentId,
          status: 'issued',
          correlationId: booking.correlation_id,
          detail: `usage, ${doc.total.amountMinor} ${doc.total.currency}`,
        },
        manager,
      );
      const invoice = single ? `INV-${doc.documentId}` : `INV-${doc.documentId}-${contractId}`;
      await this.postInvoice(manager, doc, contractId, booking, invoice, charges);
      const journals = await this.postJournals(manager, doc, contractId, booking, charges);
      await manager.query(
        `UPDATE "q2c"."billing_documents" SET "saga_id" = $2 WHERE "document_id" = $1 AND "saga_id" IS NULL`,
        [doc.documentId, booking.saga_id],
      );
      booked.contracts.push({ contractId, invoice, journals });
    }
    return booked;
  }

  /** The invoice's lines, each with its usage catalogue entry, when every line is one; null otherwise. */
  private async usageLines(manager: EntityManager, doc: BillingDocumentPayload): Promise<UsageLine[] | null> {
    if (doc.lines.length === 0) return null;
    const { catalogue } = await this.mappings.current(manager);
    const byPrice = new Map(
      [...catalogue.values()].filter((e) => e.chargeType === 'usage').map((e) => [e.billingPriceId, e]),
    );
    const lines: UsageLine[] = [];
    for (const line of doc.lines) {
      const entry = line.priceId ? byPrice.get(line.priceId) : undefined;
      if (!entry || !line.periodStart || line.proration) return null;
      lines.push({ ...line, entry, periodStart: line.periodStart });
    }
    return lines;
  }

  /** The contracts whose usage a line charges, with their shares of its amount (by quantity). */
  private async shares(
    manager: EntityManager,
    doc: BillingDocumentPayload,
    line: UsageLine,
  ): Promise<Array<{ contractId: string; amountMinor: bigint }>> {
    const end = line.periodEnd && line.periodEnd > line.periodStart ? line.periodEnd : line.periodStart;
    const rows = await manager.query<Array<{ contract_id: string; quantity: string }>>(
      `SELECT "contract_id", sum("quantity")::text AS "quantity" FROM "q2c"."usage_days"
        WHERE "customer_id" = $1 AND "product_code" = $2 AND "day" >= $3::date AND "day" < $4::date
        GROUP BY "contract_id" ORDER BY "contract_id"`,
      [doc.customerId, line.entry.productCode, line.periodStart, end],
    );
    if (rows.length === 0) {
      // A month without usage (Stripe still invoices the metered price, at nothing): no contract to charge.
      if (BigInt(line.amount.amountMinor) === 0n) return [];
      throw new BusinessError(
        'unknown_contract',
        `Usage invoice ${doc.documentId} charges ${line.entry.productCode} for ${line.periodStart}..${end}, but no usage of billing customer ${doc.customerId} was reported through Revline for that period`,
        { documentId: doc.documentId, customerId: doc.customerId, productCode: line.entry.productCode },
      );
    }
    const amounts = allocateByWeights(
      BigInt(line.amount.amountMinor),
      rows.map((r) => scaled(r.quantity)),
    );
    return rows.map((r, i) => ({ contractId: r.contract_id, amountMinor: amounts[i] ?? 0n }));
  }

  private async booking(manager: EntityManager, contractId: string): Promise<Booking> {
    const rows = await manager.query<Booking[]>(
      `SELECT "saga_id", "correlation_id", "data"->>'erpCustomerExternalId' AS "erp_customer",
              "data"->>'salesforceAccountId' AS "salesforce_account"
         FROM "q2c"."sagas" WHERE "contract_id" = $1 AND "kind" = 'booking'`,
      [contractId],
    );
    const booking = rows.at(0);
    if (!booking)
      throw new BusinessError('unknown_contract', `Contract ${contractId} has no booking to bill usage for`, {
        contractId,
      });
    return booking;
  }

  private async postInvoice(
    manager: EntityManager,
    doc: BillingDocumentPayload,
    contractId: string,
    booking: Booking,
    externalId: string,
    charges: readonly Charge[],
  ): Promise<void> {
    const payload: ErpDocumentPayload = {
      externalId,
      customerExternalId: booking.erp_customer ?? `CUST-${booking.salesforce_account ?? contractId}`,
      currency: doc.total.currency,
      tranDate: doc.issuedOn,
      subsidiary: this.config.ERP_SUBSIDIARY,
      contractId,
      memo: `Billing usage invoice ${doc.documentId}`,
      lines: charges.map(({ line, amountMinor, taxMinor }) => ({
        itemExternalId: line.entry.erpItemId,
        amountMinor: amountMinor.toString(),
        ...(taxMinor !== 0n ? { taxMinor: taxMinor.toString() } : {}),
        description: `${line.entry.productCode} usage ${line.periodStart}..${dayBefore(line.periodEnd ?? line.periodStart)}`,
        productClass: line.entry.productClass,
        obligationId: line.entry.pobId,
      })),
    };
    await this.send(manager, booking, contractId, 'erp.post-invoice', payload, {
      key: `usage-invoice:${doc.documentId}:${contractId}`,
      externalId,
      detail: `usage invoice ${doc.documentId}: ${payload.lines.reduce((s, l) => s + BigInt(l.amountMinor), 0n).toString()} ${doc.total.currency}`,
    });
  }

  /** One journal per obligation and period of use, cumulative over the usage invoices of that period. */
  private async postJournals(
    manager: EntityManager,
    doc: BillingDocumentPayload,
    contractId: string,
    booking: Booking,
    charges: readonly Charge[],
  ): Promise<Array<{ period: string; amountMinor: string }>> {
    const cells = new Map<string, { entry: CatalogueEntry; period: string; amountMinor: bigint }>();
    for (const { line, amountMinor } of charges) {
      // The period of use: the accounting period (REVENUE_FISCAL_CALENDAR) the usage's billing period starts in.
      const period = this.fiscal.keyOf(line.periodStart);
      const key = `${line.entry.pobId}:${period}`;
      const cell = cells.get(key) ?? { entry: line.entry, period, amountMinor: 0n };
      cell.amountMinor += amountMinor;
      cells.set(key, cell);
    }
    const out: Array<{ period: string; amountMinor: string }> = [];
    // The usage revenue of the invoice, by obligation and period of use: what period close posts.
    await this.revenueRuns.storeUsageRevenue(
      manager,
      [...cells.values()].map(({ entry, period, amountMinor }) => ({
        documentId: doc.documentId,
        contractId,
        obligationId: entry.pobId,
        period,
        currency: doc.total.currency.toUpperCase(),
        subsidiary: this.config.ERP_SUBSIDIARY,
        productClass: entry.productClass,
        amountMinor,
        fiscalCalendar: this.fiscal.calendar,
      })),
    );
    for (const { entry, period, amountMinor } of cells.values()) {
      if (amountMinor === 0n) continue;
      if (this.posting.REVENUE_POSTING === 'period_close') {
        out.push({ period, amountMinor: amountMinor.toString() });
        continue;
      }
      const key = `usage-journal:${doc.documentId}:${contractId}:${entry.pobId}:${period}`;
      // The latest journal of the cell, whoever sent it: an earlier usage invoice's, or the revenue schedule's (a
      // contract booked with its usage line schedules the usage obligation at nothing a period). The ERP keeps one
      // figure per version and posts the difference, so this one comes after it and adds to its figure.
      const earlier = await manager.query<Array<{ payload: ErpRevenueJournalPayload }>>(
        `SELECT "payload" FROM "q2c"."saga_commands"
          WHERE "job" = 'erp.post-revenue-journal' AND "idempotency_key" <> $1
            AND "payload"->>'contractId' = $2 AND "payload"->>'obligationId' = $3 AND "payload"->>'period' = $4
          ORDER BY ("payload"->>'scheduleVersion')::int DESC LIMIT 1`,
        [key, contractId, entry.pobId, period],
      );
      const previous = earlier.at(0)?.payload;
      const version = (previous?.scheduleVersion ?? 0) + 1;
      const cumulative = BigInt(previous?.amount.amountMinor ?? '0') + amountMinor;
      const externalId = `ru:${contractId}:${entry.pobId}:${period}:${doc.documentId}`;
      const journal: ErpRevenueJournalPayload = {
        externalId,
        contractId,
        obligationId: entry.pobId,
        period,
        scheduleVersion: version,
        amount: { amountMinor: cumulative.toString(), currency: doc.total.currency },
        productClass: entry.productClass,
        subsidiary: this.config.ERP_SUBSIDIARY,
      };
      await this.send(manager, booking, contractId, 'erp.post-revenue-journal', journal, {
        key,
        externalId,
        detail: `usage revenue of ${period} (invoiced ${doc.issuedOn}): ${amountMinor.toString()} ${doc.total.currency}`,
      });
      out.push({ period, amountMinor: amountMinor.toString() });
    }
    return out;
  }

  /** Sends an ERP command through the outbox, recorded on the booking saga's commands and lineage. */
  private async send<J extends JobName>(
    manager: EntityManager,
    booking: Booking,
    contractId: string,
    job: J,
    payload: JobPayloads[J],
    command: { key: string; externalId: string; detail: string },
  ): Promise<void> {
    await this.outbox.add(manager, job, payload, {
      idempotencyKey: command.key,
      correlationId: booking.correlation_id,
    });
    await manager.query(
      `INSERT INTO "q2c"."saga_commands" ("idempotency_key", "saga_id", "step", "job", "status", "external_id", "payload")
       VALUES ($1, $2, 'usage_invoice', $3, 'sent', $4, $5) ON CONFLICT ("idempotency_key") DO NOTHING`,
      [command.key, booking.saga_id, job, command.externalId, JSON.stringify(payload)],
    );
    await this.lineage.record(
      {
        contractId,
        system: 'erp',
        objectType: job,
        externalId: command.externalId,
        status: 'sent',
        correlationId: booking.correlation_id,
        detail: command.detail,
      },
      manager,
    );
  }
}
