import type { CrmOrder } from '@revline/crm-port';
import { createHash } from 'node:crypto';
import { WRITE_BACK_FIELDS } from '../salesforce/soql';

const NOT_BUSINESS = new Set<string>([
  ...WRITE_BACK_FIELDS,
  'LastModifiedDate',
  'LastModifiedById',
  'SystemModstamp',
  'IsDeleted',
]);

/**
 * The default locale's collation, built once: the order `localeCompare` gives (which the stored hashes were made
 * with), without looking the collator up again on every comparison.
 */
const collator = new Intl.Collator();

function strip(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields)
      .filter(([k]) => !NOT_BUSINESS.has(k))
      .sort(([a], [b]) => collator.compare(a, b)),
  );
}

/**
 * The hash of what the order says commercially: without Revline's write-back fields and the change stamps, so a
 * write-back (which changes only those) hashes the same and is not a change for Revline.
 */
export function orderContentHash(order: CrmOrder): string {
  const view = {
    order: strip(order.fields),
    account: order.account
      ? { name: order.account.name, currency: order.account.currency, number: order.account.accountNumber }
      : null,
    lines: order.lines.map((l) => strip(l.fields)),
    products: order.products
      .map((p) => strip(p.fields))
      .sort((a, b) => collator.compare(String(a.Id), String(b.Id))),
  };
  return createHash('sha256').update(JSON.stringify(view)).digest('hex');
}

/**
 * What makes an order the record Revline knows and not another one under the same id: when it was created, for
 * which account, under which number. None of these changes in an order's life, so a capture whose identity differs
 * from the one Revline recorded for the id is another record (an org whose ids started over), never an update.
 */
export function orderIdentity(order: CrmOrder): string {
  const { CreatedDate: created, AccountId: account, OrderNumber: number } = order.fields;
  return createHash('sha256')
    .update(JSON.stringify([created ?? null, account ?? order.accountId, number ?? order.number]))
    .digest('hex');
}

/** A change that touched only Revline's write-back fields (and the stamps that move with any write). */
export function isWriteBackOnly(changedFields: readonly string[]): boolean {
  return changedFields.length > 0 && changedFields.every((f) => NOT_BUSINESS.has(f));
}
