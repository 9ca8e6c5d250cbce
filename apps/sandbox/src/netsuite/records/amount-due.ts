import { ACCOUNT } from '../ledger/reference-data';
import type { GeneralLedger } from '../ledger/general-ledger';
import type { RecordBody } from './record-schemas';
import type { RecordStore } from './record-store';
import type { ReferenceResolver } from './reference-resolver';

/**
 * What an invoice still asks for: its receivable, less what credit memos and payments apply to it. A credit memo
 * made from the invoice without apply lines (a full reversal) takes its whole receivable; one with apply lines and
 * payments take what they apply. `excluding` leaves out a record being rewritten (an upsert replaces its lines).
 */
export function amountDue(
  invoiceId: string,
  deps: { store: RecordStore; ledger: GeneralLedger; refs: ReferenceResolver },
  excluding?: string,
): bigint {
  const { store, ledger, refs } = deps;
  const invoice = store.get('invoice', invoiceId);
  if (!invoice) return 0n;
  const currency = refs.currency((invoice.body as RecordBody<'invoice'>).currency);
  const receivable = (transaction: string, side: 'debitMinor' | 'creditMinor') =>
    ledger
      .linesOf(transaction)
      .filter((l) => l.account === ACCOUNT.receivable)
      .reduce((sum, l) => sum + l[side], 0n);
  const applied = (items: RecordBody<'customerPayment'>['apply']) =>
    (items?.items ?? [])
      .filter((a) => a.apply && a.doc.id === invoiceId)
      .reduce((sum, a) => sum + refs.minor(a.amount, currency, 'apply.amount'), 0n);
  let taken = 0n;
  for (const memo of store.all('creditMemo')) {
    if (memo.id === excluding) continue;
    const body = memo.body as RecordBody<'creditMemo'>;
    if (body.apply && body.apply.items.length > 0) taken += applied(body.apply);
    else if (body.createdFrom?.id === invoiceId) taken += receivable(memo.id, 'creditMinor');
  }
  for (const payment of store.all('customerPayment'))
    if (payment.id !== excluding) taken += applied((payment.body as RecordBody<'customerPayment'>).apply);
  return receivable(invoiceId, 'debitMinor') - taken;
}
