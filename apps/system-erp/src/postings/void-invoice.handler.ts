import { Injectable } from '@nestjs/common';
import { ErpPort, toErpExternalId } from '@revline/erp-port';
import type { Envelope } from '@revline/messaging';
import { JobHandler } from '@revline/messaging';
import { ErpCommandRunner } from './erp-command-runner';
import { checkPayload, VoidInvoiceCommand } from './payload-schemas';

/**
 * An invoice the billing platform voided: the ERP invoice is reversed in full by a credit memo made from it, under
 * the command's external id, answered with `erp.posted` (record type `creditMemo`) or `erp.rejected`.
 */
@Injectable()
export class VoidInvoiceHandler {
  constructor(
    private readonly erp: ErpPort,
    private readonly runner: ErpCommandRunner,
  ) {}

  @JobHandler('erp.void-invoice')
  async voidInvoice(envelope: Envelope<'erp.void-invoice'>): Promise<void> {
    const command = checkPayload(VoidInvoiceCommand, envelope.payload, envelope.job);
    const reversal = {
      invoiceExternalId: toErpExternalId(command.invoiceExternalId),
      externalId: toErpExternalId(command.externalId),
      tranDate: command.tranDate,
      ...(command.memo ? { memo: command.memo } : {}),
    };
    await this.runner.run(envelope, {
      recordType: 'creditMemo',
      externalId: reversal.externalId,
      post: () => this.erp.voidInvoice(reversal),
    });
  }
}
