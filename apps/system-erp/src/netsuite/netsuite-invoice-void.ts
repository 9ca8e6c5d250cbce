import type { ErpInvoiceVoid, ErpPostingResult } from '@revline/erp-port';
import { ERP_EXTERNAL_ID, ErpRejectedError, ErpUnavailableError } from '@revline/erp-port';
import type { NetSuiteClient } from './netsuite-client';

const RECORDS = '/services/rest/record/v1';

export function checkExternalId(externalId: string, field: string): void {
  if (!ERP_EXTERNAL_ID.test(externalId))
    throw new ErpRejectedError(
      'validation',
      'INVALID_EXTERNAL_ID',
      `External id ${externalId} may contain only letters, digits, _ and -`,
      field,
    );
}

export async function idOf(client: NetSuiteClient, type: string, externalId: string): Promise<string> {
  const found = await client.request({ method: 'GET', path: `${RECORDS}/${type}/eid:${externalId}` });
  const id = (found.data as { id?: unknown } | null)?.id;
  if (typeof id !== 'string' || id === '')
    throw new ErpUnavailableError(`NetSuite answered ${type} ${externalId} with no id`);
  return id;
}

/**
 * Reverses a NetSuite invoice the way its REST web services document: the invoice transformed into a credit memo
 * (`POST invoice/<id>/!transform/creditMemo`), which copies its lines and applies the credit to it, with Revline's
 * external id and date. NetSuite's REST record actions offer no void of an invoice (voiding is SuiteScript's
 * N/transaction), so the credit memo is the reversal. A transform is not an upsert: when it is refused because the
 * external id is taken (DUP_RCRD) or the invoice is already credited (INVALID_INITIALIZE_REF), the credit memo made
 * by an earlier attempt is looked up and answered; none there, the refusal stands.
 */
export async function voidByCreditMemo(
  client: NetSuiteClient,
  reversal: ErpInvoiceVoid,
): Promise<ErpPostingResult> {
  checkExternalId(reversal.externalId, 'externalId');
  return creditMemoFromInvoice(client, reversal.invoiceExternalId, reversal.externalId, () => ({
    externalId: reversal.externalId,
    tranDate: reversal.tranDate,
    ...(reversal.memo ? { memo: reversal.memo } : {}),
  }));
}

/**
 * An invoice's internal id by its external id. One NetSuite does not hold yet may still be on its way (its own
 * posting queued behind this one): wait for it (retried with backoff; the job's last attempt leaves it to an
 * operator).
 */
export async function invoiceIdOf(
  client: NetSuiteClient,
  externalId: string,
  field: string,
): Promise<string> {
  checkExternalId(externalId, field);
  try {
    return await idOf(client, 'invoice', externalId);
  } catch (error) {
    if (error instanceof ErpRejectedError && error.category === 'not_found')
      throw new ErpUnavailableError(`NetSuite holds no invoice ${externalId} yet`, error.vendorCode);
    throw error;
  }
}

/**
 * `POST invoice/<id>/!transform/creditMemo` with the body made for the invoice's internal id (`replace` naming the sublists the body's lines
 * replace): a credit memo linked to the invoice and applied to it. A retry whose first attempt made it (DUP_RCRD,
 * or INVALID_INITIALIZE_REF once the invoice is credited in full) answers the credit memo made; none there, the
 * refusal stands.
 */
export async function creditMemoFromInvoice(
  client: NetSuiteClient,
  invoiceExternalId: string,
  externalId: string,
  bodyFor: (invoiceId: string) => Record<string, unknown>,
  replace: readonly string[] = [],
): Promise<ErpPostingResult> {
  const invoiceId = await invoiceIdOf(client, invoiceExternalId, 'invoiceExternalId');
  const body = bodyFor(invoiceId);
  const query = replace.length > 0 ? `?replace=${replace.join(',')}` : '';
  try {
    const made = await client.request({
      method: 'POST',
      path: `${RECORDS}/invoice/${invoiceId}/!transform/creditMemo${query}`,
      body,
    });
    const erpId = made.location?.split('/').pop();
    if (!erpId)
      throw new ErpUnavailableError(`NetSuite credited invoice ${invoiceId} but answered no Location`);
    return { kind: 'creditMemo', externalId, erpId };
  } catch (error) {
    const again =
      error instanceof ErpRejectedError &&
      (error.vendorCode === 'DUP_RCRD' || error.vendorCode === 'INVALID_INITIALIZE_REF');
    if (!again) throw error;
    try {
      const erpId = await idOf(client, 'creditMemo', externalId);
      return { kind: 'creditMemo', externalId, erpId };
    } catch (lookup) {
      if (lookup instanceof ErpRejectedError && lookup.category === 'not_found') throw error;
      throw lookup;
    }
  }
}
