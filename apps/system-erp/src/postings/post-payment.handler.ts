import { Injectable } from '@nestjs/common';
import { ErpPort } from '@revline/erp-port';
import type { Envelope } from '@revline/messaging';
import { JobHandler } from '@revline/messaging';
import { ErpConfig } from '../erp.config';
import { ErpCommandRunner } from './erp-command-runner';
import { toErpDocument } from './erp-documents';
import { checkPayload, DocumentCommand } from './payload-schemas';

/** A payment: the lines' amounts sum to what was received, applied to the invoice it names (if any). */
@Injectable()
export class PostPaymentHandler {
  constructor(
    private readonly erp: ErpPort,
    private readonly runner: ErpCommandRunner,
    private readonly config: ErpConfig,
  ) {}

  @JobHandler('erp.post-payment')
  async postPayment(envelope: Envelope<'erp.post-payment'>): Promise<void> {
    await this.runner.refusing(envelope, 'payment', async () => {
      const doc = toErpDocument(
        checkPayload(DocumentCommand, envelope.payload, envelope.job),
        this.config.ERP_DEFAULT_SUBSIDIARY,
      );
      const amountMinor = doc.lines.reduce((sum, l) => sum + BigInt(l.amountMinor), 0n).toString();
      await this.runner.run(envelope, {
        recordType: 'payment',
        externalId: doc.externalId,
        post: () =>
          this.erp.postPayment({
            externalId: doc.externalId,
            customerExternalId: doc.customerExternalId,
            subsidiary: doc.subsidiary,
            currency: doc.currency,
            tranDate: doc.tranDate,
            amountMinor,
            ...(doc.contractId ? { contractId: doc.contractId } : {}),
            appliesTo: doc.appliesToExternalId
              ? [{ invoiceExternalId: doc.appliesToExternalId, amountMinor }]
              : [],
          }),
      });
    });
  }
}
