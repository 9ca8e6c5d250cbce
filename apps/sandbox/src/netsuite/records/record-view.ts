import type { StoredRecord } from './record-store';

const AMOUNT_FIELDS = new Set([
  'amount',
  'taxBasis',
  'taxRate',
  'taxAmount',
  'debit',
  'credit',
  'payment',
  'custrecord_rl_total',
]);

/** NetSuite answers amounts as JSON numbers; the sandbox keeps them as exact decimal strings inside. */
function render(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => render(v));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v, k)]));
  }
  if (typeof value === 'string' && AMOUNT_FIELDS.has(key)) return Number(value);
  return value;
}

export function recordUrl(base: string, record: Pick<StoredRecord, 'type' | 'id'>): string {
  return `${base}/services/rest/record/v1/${record.type}/${record.id}`;
}

/** A record as GET answers it: self link, ids, the fields (sublists expanded) and the system dates. */
export function recordView(base: string, record: StoredRecord): Record<string, unknown> {
  return {
    links: [{ rel: 'self', href: recordUrl(base, record) }],
    id: record.id,
    ...(record.externalId ? { externalId: record.externalId } : {}),
    ...(render(record.body) as Record<string, unknown>),
    createdDate: record.createdDate,
    lastModifiedDate: record.lastModifiedDate,
  };
}
