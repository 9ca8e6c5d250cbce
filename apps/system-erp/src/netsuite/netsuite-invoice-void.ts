import type { ErpInvoiceVoid, ErpPostingResult } from '@revline/erp-port';
import { ERP_EXTERNAL_ID, ErpRejectedError, ErpUnavailableError } from '@revline/erp-port';
import type { NetSuiteClient } from './netsuite-client';

const RECORDS = '/services/rest/record/v1';

function checkExternalId(externalId: string, field: string): void {
  if (!ERP_EXTERNAL_ID.test(externalId))
    throw new ErpRejectedError(
      'validation',
      'INVALID_EXTERNAL_ID',
      `External id ${externalId} may contain only letters, digits, _ and -`,
      field,
    );
}

async function idOf(client: NetSuiteClient, type: string, externalId: string): Promise<string> {
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
  checkExternalId(reversal.invoiceExternalId, 'invoiceExternalId');
  checkExternalId(reversal.externalId, 'externalId');
  let invoiceId: string;
  try {
    invoiceId = await idOf(client, 'invoice', reversal.invoiceExternalId);
  } catch (error) {
    // Voided soon after it was issued, the invoice's own posting may still be on its way: wait for it (retried
    // with backoff; the job's last attempt leaves it to an operator).
    if (error instanceof ErpRejectedError && error.category === 'not_found')
      throw new ErpUnavailableError(
        `NetSuite holds no invoice ${reversal.invoiceExternalId} to reverse yet`,
        error.vendorCode,
      );
    throw error;
  }
  try {
    const made = await client.request({
      method: 'POST',
      path: `${RECORDS}/invoice/${invoiceId}/!transform/creditMemo`,
      body: {
        externalId: reversal.externalId,
        tranDate: reversal.tranDate,
        ...(reversal.memo ? { memo: reversal.memo } : {}),
      },
    });
    const erpId = made.location?.split('/').pop();
    if (!erpId)
      throw new ErpUnavailableError(`NetSuite credited invoice ${invoiceId} but answered no Location`);
    return { kind: 'creditMemo', externalId: reversal.externalId, erpId };
  } catch (error) {
    const again =
      error instanceof ErpRejectedError &&
      (error.vendorCode === 'DUP_RCRD' || error.vendorCode === 'INVALID_INITIALIZE_REF');
    if (!again) throw error;
    try {
      const erpId = await idOf(client, 'creditMemo', reversal.externalId);
      return { kind: 'creditMemo', externalId: reversal.externalId, erpId };
    } catch (lookup) {
      if (lookup instanceof ErpRejectedError && lookup.category === 'not_found') throw error;
      throw lookup;
    }
  }
}
