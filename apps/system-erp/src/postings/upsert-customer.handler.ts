import { Injectable } from '@nestjs/common';
import { ErpPort, toErpExternalId } from '@revline/erp-port';
import type { Envelope } from '@revline/messaging';
import { JobHandler } from '@revline/messaging';
import { CONSUMER, ErpCommandRunner } from './erp-command-runner';
import { ErpCustomers } from './erp-customers.repository';
import { checkPayload, CustomerCommand } from './payload-schemas';

@Injectable()
export class UpsertCustomerHandler {
  constructor(
    private readonly erp: ErpPort,
    private readonly runner: ErpCommandRunner,
    private readonly customers: ErpCustomers,
  ) {}

  @JobHandler('erp.upsert-customer')
  async upsertCustomer(envelope: Envelope<'erp.upsert-customer'>): Promise<void> {
    await this.runner.refusing(envelope, 'customer', async () => {
      const command = checkPayload(CustomerCommand, envelope.payload, envelope.job);
      const externalId = toErpExternalId(command.externalId);
      // Whether the message was applied and the customer recorded, in one read.
      const { applied, known } = await this.customers.knownAndApplied(externalId, {
        consumer: CONSUMER,
        idempotencyKey: envelope.idempotencyKey,
      });
      if (applied) return;
      await this.runner.run(
        envelope,
        {
          recordType: 'customer',
          externalId,
          // Once per external id: a later contract of the account is answered without asking the ERP again.
          post: () =>
            this.customers.once(externalId, () => this.erp.upsertCustomer({ ...command, externalId }), known),
        },
        true,
      );
    });
  }
}
