import { Injectable } from '@nestjs/common';
import type { ErpPostingResult } from '@revline/erp-port';
import { ErpPort, toErpExternalId } from '@revline/erp-port';
import type { Envelope, ErpPostingOutcome } from '@revline/messaging';
import { JobHandler } from '@revline/messaging';
import type { z } from 'zod';
import { ErpConfig } from '../erp.config';
import type { Posted } from './erp-command-runner';
import { CONSUMER, ErpCommandRunner } from './erp-command-runner';
import { ErpCustomers } from './erp-customers.repository';
import { toErpDocument } from './erp-documents';
import { checkPayload, DocumentCommand } from './payload-schemas';

/**
 * The schedule versions an invoice's lines carry, each reported as a revenue schedule posted with the invoice: the
 * invoice's ERP id and external id, under the key the saga gave the schedule.
 */
export function carriedSchedules(
  command: z.infer<typeof DocumentCommand>,
  invoice: Pick<Posted, 'externalId' | 'erpId'>,
): ErpPostingOutcome[] {
  return command.lines.flatMap((l) =>
    l.revenueSchedule
      ? [
          {
            recordType: 'revenueSchedule',
            externalId: invoice.externalId,
            key: l.revenueSchedule.externalId,
            erpId: invoice.erpId,
            outcome: 'posted' as const,
          },
        ]
      : [],
  );
}

@Injectable()
export class PostInvoiceHandler {
  constructor(
    private readonly erp: ErpPort,
    private readonly runner: ErpCommandRunner,
    private readonly config: ErpConfig,
    private readonly customers: ErpCustomers,
  ) {}

  /**
   * Posts the invoice (an upsert by external id), with the revenue plan its lines carry, if any, after the customer
   * it carries (upserted once per external id, as `erp.upsert-customer` does).
   */
  @JobHandler('erp.post-invoice')
  async postInvoice(envelope: Envelope<'erp.post-invoice'>): Promise<void> {
    await this.runner.refusing(envelope, 'invoice', async () => {
      const command = checkPayload(DocumentCommand, envelope.payload, envelope.job);
      const invoice = toErpDocument(command, this.config.ERP_DEFAULT_SUBSIDIARY);
      const carried = command.customer;
      if (!carried) {
        await this.runner.run(envelope, {
          recordType: 'invoice',
          externalId: invoice.externalId,
          post: () => this.erp.postInvoice(invoice),
          carried: (posted) => carriedSchedules(command, posted),
        });
        return;
      }
      // Whether the message was applied and its customer recorded, in one read: an applied message calls nothing.
      const { applied, known } = await this.customers.knownAndApplied(toErpExternalId(carried.externalId), {
        consumer: CONSUMER,
        idempotencyKey: envelope.idempotencyKey,
      });
      if (applied) return;
      const customer = await this.upsertCustomer(envelope, carried, known);
      if (customer === null) return;
      await this.runner.run(
        envelope,
        {
          recordType: 'invoice',
          externalId: invoice.externalId,
          post: () => this.erp.postInvoice(invoice),
          carried: (posted) => [customer, ...carriedSchedules(command, posted)],
        },
        true,
      );
    });
  }

  /**
   * The customer an invoice carries, as a posting of the invoice's answer; null when the ERP refused it (answered
   * with `erp.rejected` naming the customer, and the invoice is not posted).
   */
  private async upsertCustomer(
    envelope: Envelope<'erp.post-invoice'>,
    carried: NonNullable<z.infer<typeof DocumentCommand>['customer']>,
    known: ErpPostingResult | null,
  ): Promise<ErpPostingOutcome | null> {
    const { key, ...command } = carried;
    const externalId = toErpExternalId(command.externalId);
    try {
      const posted = await this.customers.once(
        externalId,
        () => this.erp.upsertCustomer({ ...command, externalId }),
        known,
      );
      return { recordType: 'customer', externalId, key, erpId: posted.erpId, outcome: 'posted' };
    } catch (error) {
      const failure = await this.runner.classify(envelope, { recordType: 'customer', externalId }, error);
      if (failure) throw failure;
      return null;
    }
  }
}
