import type { StripeEvent } from '../state/types';

/** The API version the sandbox's objects are kept in (the stripe SDK's pinned version). */
export const SANDBOX_API_VERSION = '2026-10-28.endive';

/** An API version as Stripe names them: the release date, then the release name (`2025-03-31.basil`). */
export const API_VERSION_PATTERN = /^\d{4}-\d{2}-\d{2}(\.[a-z]+)?$/;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});

/** Whether `version` is older than the release `since` (compared by release date). */
const before = (version: string, since: string): boolean => version.slice(0, 10) < since.slice(0, 10);

/**
 * 2025-03-31.basil: an invoice names its subscription under `parent.subscription_details`, its taxes in
 * `total_taxes`; a line names its price under `pricing.price_details`, its proration and subscription item under
 * `parent`, its taxes in `taxes`; a subscription's periods are its items'. Before it, the same figures were top-level
 * fields (`invoice.subscription`, `total_tax_amounts`, a line's `price`, `proration`, `tax_amounts`), which is what
 * an object rendered in an older version shows instead.
 */
const BASIL = '2025-03-31.basil';

function lineBeforeBasil(line: Obj): Obj {
  const { parent, pricing, taxes, ...rest } = line;
  const p = obj(parent);
  const details = obj(p.subscription_item_details ?? p.invoice_item_details);
  const price = obj(pricing).price_details as { price?: string; product?: string } | undefined;
  return {
    ...rest,
    type: p.type === 'invoice_item_details' ? 'invoiceitem' : 'subscription',
    proration: details.proration === true,
    proration_details: details.proration_details ?? { credited_items: null },
    subscription_item: details.subscription_item ?? null,
    invoice_item: details.invoice_item ?? null,
    price: price?.price ? { id: price.price, object: 'price', product: price.product ?? null } : null,
    tax_amounts: Array.isArray(taxes) ? taxes : [],
  };
}

function invoiceBeforeBasil(invoice: Obj): Obj {
  const { parent, total_taxes, lines, ...rest } = invoice;
  const details = obj(obj(parent).subscription_details);
  const list = obj(lines);
  return {
    ...rest,
    subscription: details.subscription ?? null,
    subscription_details: details.subscription ? { metadata: details.metadata ?? {} } : null,
    total_tax_amounts: Array.isArray(total_taxes) ? total_taxes : [],
    ...(lines === undefined
      ? {}
      : {
          lines: {
            ...list,
            data: (Array.isArray(list.data) ? (list.data as Obj[]) : []).map(lineBeforeBasil),
          },
        }),
  };
}

function creditNoteBeforeBasil(note: Obj): Obj {
  const { total_taxes, lines, ...rest } = note;
  const list = obj(lines);
  return {
    ...rest,
    tax_amounts: Array.isArray(total_taxes) ? total_taxes : [],
    ...(lines === undefined
      ? {}
      : {
          lines: {
            ...list,
            data: (Array.isArray(list.data) ? (list.data as Obj[]) : []).map(({ taxes, ...line }) => ({
              ...line,
              tax_amounts: Array.isArray(taxes) ? taxes : [],
            })),
          },
        }),
  };
}

function subscriptionBeforeBasil(sub: Obj): Obj {
  const items = obj(sub.items);
  const data = (Array.isArray(items.data) ? (items.data as Obj[]) : []).map((item) =>
    Object.fromEntries(Object.entries(item).filter(([key]) => !key.startsWith('current_period_'))),
  );
  const first = obj((items.data as Obj[] | undefined)?.[0]);
  return {
    ...sub,
    current_period_start: first.current_period_start ?? null,
    current_period_end: first.current_period_end ?? null,
    items: { ...items, data },
  };
}

/**
 * An object as Stripe renders it in `version`: the sandbox keeps objects in SANDBOX_API_VERSION and renders them
 * in an older version without the fields that version does not have yet (and with the ones it had instead). A
 * version at or after SANDBOX_API_VERSION renders the object unchanged.
 */
export function renderObject<T extends object>(object: T, version: string): T | Obj {
  if (!before(version, BASIL)) return object;
  const o = object as Obj;
  switch (o.object) {
    case 'invoice':
      return invoiceBeforeBasil(o);
    case 'line_item':
      return lineBeforeBasil(o);
    case 'credit_note':
      return creditNoteBeforeBasil(o);
    case 'subscription':
      return subscriptionBeforeBasil(o);
    default:
      return object;
  }
}

/**
 * An API answer rendered in the request's version (its `Stripe-Version`, else the account's): the object, or each
 * object of a list. Expanded objects inside it stay as kept.
 */
export function renderAnswer(body: unknown, version: string): unknown {
  if (!before(version, BASIL) || typeof body !== 'object' || body === null) return body;
  const o = body as Obj;
  if (o.object === 'list' && Array.isArray(o.data))
    return { ...o, data: (o.data as object[]).map((item) => renderObject(item, version)) };
  return renderObject(o, version);
}

/** An event rendered in `version` (a webhook endpoint's), else in the version it was created in. */
export function renderEvent(event: StripeEvent, version: string = event.api_version): StripeEvent {
  if (version === event.api_version && !before(version, BASIL)) return event;
  return {
    ...event,
    api_version: version,
    data: { ...event.data, object: renderObject(event.data.object, version) },
  };
}
