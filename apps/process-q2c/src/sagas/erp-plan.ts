import type { ContractAmended } from '@revline/canonical';
import { fromEpochDay, toEpochDay } from '@revline/canonical';
import type {
  BillingDocumentPayload,
  ErpDocumentPayload,
  ErpRevenueSchedulePayload,
  JobPayloads,
} from '@revline/messaging';
import { allocateByWeights } from '@revline/revenue';
import type { EntityManager } from 'typeorm';
import type { CatalogueEntry } from '../mappings/mapping-definition';
import { expectedCharge } from './billing-plan';
import type { ContractHistory, ContractHistoryReader } from './contract-history.repository';
import { erpCustomerPayload } from './customer-plan';
import { splitAt } from './contract-lines';
import type { RevenuePlan } from './revenue-plan';
import type { SagaData } from './saga-data';

/** What a saga knows of its contract: the history up to its event, the catalogue it was mapped with. */
export interface SagaContext {
  history: ContractHistory;
  catalogue: ReadonlyMap<string, CatalogueEntry>;
  amendment?: ContractAmended;
  before: readonly ContractAmended[];
}

/** The saga fields the ERP commands are derived from. */
export interface SagaIdentity {
  eventId: string;
  kind: string;
  contractId: string;
  data: SagaData;
}

export type ErpJob =
  | 'erp.upsert-customer'
  | 'erp.post-invoice'
  | 'erp.post-credit-memo'
  | 'erp.upsert-revenue-schedule'
  | 'erp.post-revenue-journal'
  | 'erp.post-revenue';

/** One ERP command a saga sends: deterministic from the contract's events, the mapping and the billing documents. */
export type PlannedCommand = {
  [J in ErpJob]: { job: J; key: string; externalId: string; payload: JobPayloads[J] };
}[ErpJob];

export const ERP_JOBS: readonly ErpJob[] = [
  'erp.upsert-customer',
  'erp.post-invoice',
  'erp.post-credit-memo',
  'erp.upsert-revenue-schedule',
  'erp.post-revenue-journal',
  'erp.post-revenue',
];

/** A schedule or journal inside a revenue batch, as the saga records it (one saga_commands row each). */
export type RevenuePart = Extract<
  PlannedCommand,
  { job: 'erp.upsert-revenue-schedule' } | { job: 'erp.post-revenue-journal' }
>;

const abs = (n: bigint): bigint => (n < 0n ? -n : n);

/** A saga command's idempotency key: the canonical event it serves and what the command is. */
export const sagaKey = (eventId: string, ...parts: string[]): string => ['saga', eventId, ...parts].join(':');

export async function sagaContext(
  reader: ContractHistoryReader,
  manager: EntityManager,
  saga: { kind: string; contractId: string; eventId: string; data?: Pick<SagaData, 'catalogueVersion'> },
): Promise<SagaContext> {
  const history = await reader.read(manager, saga.contractId, saga.eventId);
  const last = history.amendments.at(-1);
  const isAmendment = saga.kind !== 'booking' && last !== undefined;
  const split = isAmendment ? splitAt(history, last.amendmentId) : undefined;
  // A saga retried after a mapping fix plans with the version active at the retry (the event keeps its own).
  const version =
    saga.data?.catalogueVersion ?? (isAmendment ? last.mappingVersion : history.booking.mappingVersion) ?? 1;
  return {
    history,
    catalogue: await reader.catalogue(manager, version),
    ...(split ? { amendment: split.amendment } : {}),
    before: split?.before ?? [],
  };
}

/** The key suffix of a booking's ERP customer, as a command and as a part an invoice carries. */
const CUSTOMER_PART = 'erp-customer';

/** The ERP customer a booking upserts (see erpCustomerPayload), or null when the account's is known already. */
export function customerCommand(
  saga: SagaIdentity,
  ctx: SagaContext,
  subsidiary: string,
): Extract<PlannedCommand, { job: 'erp.upsert-customer' }> | null {
  const payload = erpCustomerPayload(ctx.history.booking, saga.data.salesforceAccountId, subsidiary);
  if (!payload) return null;
  return {
    job: 'erp.upsert-customer',
    key: sagaKey(saga.eventId, CUSTOMER_PART),
    externalId: payload.externalId,
    payload,
  };
}

/**
 * A booking's customer rides on its invoices: each carries the customer command (the ERP upserts it once, before
 * the first), so the saga sends one command and waits once. Null when no invoice goes out to carry it: the customer
 * is then a command of its own, confirmed before the documents.
 */
export function withCustomer(
  documents: readonly PlannedCommand[],
  customer: Extract<PlannedCommand, { job: 'erp.upsert-customer' }>,
): PlannedCommand[] | null {
  if (!documents.some((c) => c.job === 'erp.post-invoice')) return null;
  return documents.map((c) =>
    c.job === 'erp.post-invoice'
      ? { ...c, payload: { ...c.payload, customer: { ...customer.payload, key: CUSTOMER_PART } } }
      : c,
  );
}

/** The ERP lines of a billing document: its total split over the contract lines it charges, by item. */
function erpLines(saga: SagaIdentity, ctx: SagaContext, totalMinor: bigint): ErpDocumentPayload['lines'] {
  const am = ctx.amendment?.amendmentType === 'ramp_step' ? undefined : ctx.amendment;
  const parts = am
    ? expectedCharge(ctx.history, ctx.before, am, ctx.catalogue).map((p) => ({
        productCode: p.productCode,
        weight: abs(p.amountMinor),
      }))
    : ctx.history.booking.lines.map((l) => ({
        productCode: l.productCode,
        weight: BigInt(
          (l.rampSegments ?? []).find((s) => s.start === ctx.amendment?.effectiveDate)?.netAmount
            .amountMinor ?? l.netAmount.amountMinor,
        ),
      }));
  const usable = parts.filter((p) => p.weight > 0n);
  const weights = usable.length > 0 ? usable : parts.slice(0, 1).map((p) => ({ ...p, weight: 1n }));
  const amounts = allocateByWeights(
    abs(totalMinor),
    weights.map((p) => p.weight),
  );
  return weights.map((p, i) => {
    const entry = ctx.catalogue.get(p.productCode);
    return {
      itemExternalId: entry?.erpItemId ?? p.productCode,
      amountMinor: (amounts[i] ?? 0n).toString(),
      productClass: entry?.productClass ?? 'subscription',
      ...(entry ? { obligationId: entry.pobId } : {}),
      description: `${p.productCode} (${saga.kind})`,
    };
  });
}

/**
 * The service period a billing document bills: from its lines' earliest period start to the day before their
 * latest period end (the billing platform's period ends are exclusive instants). None when no line has a period.
 */
export function servicePeriodOf(
  doc: Pick<BillingDocumentPayload, 'lines'>,
): { serviceStart: string; serviceEnd: string } | Record<string, never> {
  const starts = doc.lines.flatMap((l) => (l.periodStart ? [l.periodStart] : [])).sort();
  const ends = doc.lines.flatMap((l) => (l.periodEnd ? [l.periodEnd] : [])).sort();
  const start = starts.at(0);
  const end = ends.at(-1);
  if (start === undefined || end === undefined || end <= start) return {};
  return { serviceStart: start, serviceEnd: fromEpochDay(toEpochDay(end) - 1) };
}

/**
 * A billing document's ERP lines: its total less tax split over the contract lines (erpLines), and its tax split
 * over them in the same proportions (NetSuite adds each line's tax to the total and books it as tax payable).
 */
function documentLines(
  saga: SagaIdentity,
  ctx: SagaContext,
  doc: SagaData['invoices'][number],
): ErpDocumentPayload['lines'] {
  const tax = BigInt(doc.tax?.amountMinor ?? '0');
  const period =
    doc.serviceStart && doc.serviceEnd ? { serviceStart: doc.serviceStart, serviceEnd: doc.serviceEnd } : {};
  const lines = erpLines(saga, ctx, BigInt(doc.total.amountMinor) - tax).map((l) => ({ ...l, ...period }));
  if (tax === 0n) return lines;
  const shares = allocateByWeights(
    abs(tax),
    lines.map((l) => abs(BigInt(l.amountMinor))),
  );
  return lines.map((l, i) => ({ ...l, taxMinor: (shares[i] ?? 0n).toString() }));
}

/** The ERP invoices and credit memos of the billing documents the saga consumed (all, or those `pick` keeps). */
export function documentCommands(
  saga: SagaIdentity,
  ctx: SagaContext,
  customerExternalId: string,
  subsidiary: string,
  pick: (doc: SagaData['invoices'][number]) => boolean = () => true,
): PlannedCommand[] {
  const base = {
    customerExternalId,
    currency: ctx.history.booking.currency,
    subsidiary,
    contractId: saga.contractId,
  };
  const out: PlannedCommand[] = [];
  for (const doc of saga.data.invoices.filter(pick)) {
    out.push({
      job: 'erp.post-invoice',
      key: sagaKey(saga.eventId, 'erp-invoice', doc.documentId),
      externalId: doc.erpExternalId,
      payload: {
        ...base,
        externalId: doc.erpExternalId,
        tranDate: doc.issuedOn,
        memo: `Billing invoice ${doc.documentId}`,
        lines: documentLines(saga, ctx, doc),
      },
    });
  }
  for (const doc of saga.data.creditNotes.filter(pick)) {
    const appliesTo = saga.data.creditAppliesTo ? `INV-${saga.data.creditAppliesTo}` : undefined;
    out.push({
      job: 'erp.post-credit-memo',
      key: sagaKey(saga.eventId, 'erp-credit-memo', doc.documentId),
      externalId: doc.erpExternalId,
      payload: {
        ...base,
        externalId: doc.erpExternalId,
        tranDate: doc.issuedOn,
        memo: `Billing credit note ${doc.documentId}`,
        ...(appliesTo ? { appliesToExternalId: appliesTo } : {}),
        lines: documentLines(saga, ctx, doc),
      },
    });
  }
  return out;
}

/**
 * The revenue of the schedule version the saga computed, as ONE ERP command (`erp.post-revenue`) carrying the
 * version's schedules and period journals; none when the version changes nothing.
 */
export function revenueCommands(saga: SagaIdentity, plan: RevenuePlan): PlannedCommand[] {
  if (plan.schedules.length === 0 && plan.journals.length === 0) return [];
  const externalId = ['rv', plan.contractId, plan.version].join(':');
  return [
    {
      job: 'erp.post-revenue',
      key: sagaKey(saga.eventId, externalId),
      externalId,
      payload: {
        externalId,
        contractId: plan.contractId,
        scheduleVersion: plan.version,
        currency: plan.currency,
        subsidiary: plan.subsidiary,
        schedules: plan.schedules,
        journals: plan.journals,
      },
    },
  ];
}

/**
 * The schedules and journals of a revenue batch, each under the key the saga gives it (as when each was a command
 * of its own): the saga records them beside the batch, so that each journal's story (sent, posted, refused) is
 * told — and read by the period recognition and the replays — journal by journal.
 */
export function revenueParts(
  saga: Pick<SagaIdentity, 'eventId'>,
  batch: JobPayloads['erp.post-revenue'],
): RevenuePart[] {
  return [
    ...batch.schedules.map((schedule): RevenuePart => ({
      job: 'erp.upsert-revenue-schedule',
      key: sagaKey(saga.eventId, schedule.externalId),
      externalId: schedule.externalId,
      payload: schedule,
    })),
    ...batch.journals.map((journal): RevenuePart => ({
      job: 'erp.post-revenue-journal',
      key: sagaKey(saga.eventId, journal.externalId),
      externalId: journal.externalId,
      payload: journal,
    })),
  ];
}

/** A saga's ERP documents with the revenue plan folded into its invoices (foldRevenue). */
export interface FoldedRevenue {
  /** The documents (invoices carrying their schedules), then the revenue batch of what no invoice carries. */
  commands: PlannedCommand[];
  /** Per invoice, the schedule versions its lines carry, as a batch the saga records part by part. */
  carried: Array<JobPayloads['erp.post-revenue']>;
}

type InvoiceCommand = Extract<PlannedCommand, { job: 'erp.post-invoice' }>;
type RevenueCommand = Extract<PlannedCommand, { job: 'erp.post-revenue' }>;

/**
 * Whether an invoice line of the catalogue's obligation `lineObligation` bills the engine's obligation: the same,
 * or one an amendment made of it (`<obligation>@<amendment>`: an expansion's separate contract, a renewal's term).
 */
const bills = (lineObligation: string, obligation: string): boolean =>
  obligation === lineObligation || obligation.startsWith(`${lineObligation}@`);

/**
 * Under period close, the revenue plan rides on the invoice: each schedule version of the batch goes on the first
 * invoice line billing its obligation that carries none yet (NetSuite's revenue plan columns on the item line, see
 * `bills`), and is no record of its own. A schedule no invoice line of the saga bills (an obligation the invoices
 * leave out) and the batch's journals stay in the batch, under its own key, as before. Credit memos carry nothing.
 */
export function foldRevenue(
  documents: readonly PlannedCommand[],
  revenue: readonly PlannedCommand[],
): FoldedRevenue {
  const batch = revenue.find((c): c is RevenueCommand => c.job === 'erp.post-revenue');
  if (!batch) return { commands: [...documents, ...revenue], carried: [] };
  const invoices: InvoiceCommand[] = [];
  const commands = documents.map((c): PlannedCommand => {
    if (c.job !== 'erp.post-invoice') return c;
    const copy: InvoiceCommand = { ...c, payload: { ...c.payload, lines: [...c.payload.lines] } };
    invoices.push(copy);
    return copy;
  });
  const left: ErpRevenueSchedulePayload[] = [];
  const carriedBy = new Map<string, ErpRevenueSchedulePayload[]>();
  for (const schedule of batch.payload.schedules) {
    const free = (l: InvoiceCommand['payload']['lines'][number]): boolean =>
      !l.revenueSchedule && l.obligationId !== undefined && bills(l.obligationId, schedule.obligationId);
    const invoice = invoices.find(
      (c) => c.payload.currency === schedule.currency && c.payload.lines.some(free),
    );
    if (!invoice) {
      left.push(schedule);
      continue;
    }
    const lines = invoice.payload.lines;
    const i = lines.findIndex(free);
    lines.splice(i, 1, {
      ...lines[i],
      // The line names the engine's obligation whose plan it carries (an amendment's `<obligation>@<amendment>`).
      obligationId: schedule.obligationId,
      revenueSchedule: {
        externalId: schedule.externalId,
        scheduleVersion: schedule.scheduleVersion,
        periods: schedule.periods,
      },
    });
    carriedBy.set(invoice.externalId, [...(carriedBy.get(invoice.externalId) ?? []), schedule]);
  }
  const rest: RevenueCommand = { ...batch, payload: { ...batch.payload, schedules: left } };
  const keep = rest.payload.schedules.length + rest.payload.journals.length > 0;
  return {
    commands: [...commands, ...(keep ? [rest] : []), ...revenue.filter((c) => c !== batch)],
    carried: [...carriedBy].map(([invoice, schedules]) => ({
      ...batch.payload,
      externalId: invoice,
      schedules,
      journals: [],
    })),
  };
}

/**
 * What a saga whose invoice carried its revenue plan sent, record by record: the folded documents and batch, and
 * each schedule an invoice carries under the key the saga recorded it with (beside the invoice's own row).
 */
export function foldedCommands(
  saga: Pick<SagaIdentity, 'eventId'>,
  documents: readonly PlannedCommand[],
  revenue: readonly PlannedCommand[],
): PlannedCommand[] {
  const { commands, carried } = foldRevenue(documents, revenue);
  return [...commands, ...carried.flatMap((batch) => revenueParts(saga, batch))];
}
