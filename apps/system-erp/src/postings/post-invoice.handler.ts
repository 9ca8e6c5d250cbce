import { Injectable } from '@nestjs/common';
import { ErpPort } from '@revline/erp-port';
import type { Envelope } from '@revline/messaging';
import { JobHandler } from '@revline/messaging';
import { ErpConfig } from '../erp.config';
import { ErpCommandRunner } from './erp-command-runner';
import { toErpDocument } from './erp-documents';
import { checkPayload, DocumentCommand } from './payload-schemas';

@Injectable()
export class PostInvoiceHandler {
  constructor(
    private readonly erp: ErpPort,
    private readonly runner: ErpCommandRunner,
    private readonly config: ErpConfig,
  ) {}

  @JobHandler('erp.post-invoice')
  async postInvoice(envelope: Envelope<'erp.post-invoice'>): Promise<void> {
    await this.runner.refusing(envelope, 'invoice', async () => {
      const invoice = toErpDocument(
        checkPayload(DocumentCommand, envelope.payload, envelope.job),
        this.config.ERP_DEFAULT_SUBSIDIARY,
      );
      await this.runner.run(envelope, {
        recordType: 'invoice',
        externalId: invoice.externalId,
        post: () => this.erp.postInvoice(invoice),
      });
    });
  }
}
