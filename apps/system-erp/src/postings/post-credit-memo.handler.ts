import { Injectable } from '@nestjs/common';
import { ErpPort } from '@revline/erp-port';
import type { Envelope } from '@revline/messaging';
import { JobHandler } from '@revline/messaging';
import { ErpConfig } from '../erp.config';
import { ErpCommandRunner } from './erp-command-runner';
import { toErpDocument } from './erp-documents';
import { checkPayload, DocumentCommand } from './payload-schemas';

@Injectable()
export class PostCreditMemoHandler {
  constructor(
    private readonly erp: ErpPort,
    private readonly runner: ErpCommandRunner,
    private readonly config: ErpConfig,
  ) {}

  @JobHandler('erp.post-credit-memo')
  async postCreditMemo(envelope: Envelope<'erp.post-credit-memo'>): Promise<void> {
    await this.runner.refusing(envelope, 'creditMemo', async () => {
      const creditMemo = toErpDocument(
        checkPayload(DocumentCommand, envelope.payload, envelope.job),
        this.config.ERP_DEFAULT_SUBSIDIARY,
      );
      await this.runner.run(envelope, {
        recordType: 'creditMemo',
        externalId: creditMemo.externalId,
        post: () => this.erp.postCreditMemo(creditMemo),
      });
    });
  }
}
