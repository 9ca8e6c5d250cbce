import { Injectable } from '@nestjs/common';
import type { ContractAmended, ContractBooked } from '@revline/canonical';
import { traceHeaders } from '@revline/observability';
import { v7 as uuidv7 } from 'uuid';
import type { EntityManager } from 'typeorm';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { SAGA_STATUS } from './saga-data';
import type { SagaKind } from './saga-plan';
import { stepsOf } from './saga-plan';
import { SagaEngine } from './saga-engine';
import { SagaStore } from './saga-store';
import { SagaEntity } from './saga.entity';

/**
 * Starts the saga of a contract change in the transaction that stored its canonical event, and runs it to its
 * first wait: its first commands leave through the outbox if and only if the event is stored.
 */
@Injectable()
export class StartSaga {
  constructor(
    private readonly engine: SagaEngine,
    private readonly store: SagaStore,
    private readonly lineage: LineageRecorder,
  ) {}

  async execute(
    manager: EntityManager,
    event: ContractBooked | ContractAmended,
    contractId: string,
    salesforceAccountId: string,
    /** The Salesforce order the saga writes back to, when the event did not come from one (a ramp step). */
    salesforceOrderId: string = event.source.objectId,
  ): Promise<SagaEntity> {
    const kind: SagaKind = event.eventType === 'ContractBooked' ? 'booking' : event.amendmentType;
    const saga = manager.getRepository(SagaEntity).create({
      sagaId: uuidv7(),
      eventId: event.messageId,
      kind,
      contractId,
      status: SAGA_STATUS.running,
      step: stepsOf(kind)[0] ?? 'done',
      correlationId: event.correlationId,
      committedAt: new Date(event.occurredAt),
      slaDeadline: null,
      lastError: null,
      completedAt: null,
      data: {
        salesforceOrderId,
        salesforceAccountId,
        currency: event.eventType === 'ContractBooked' ? event.currency : '',
        pending: [],
        invoices: [],
        creditNotes: [],
        ...traceHeaders(),
        ...(event.eventType === 'ContractBooked' && event.customer.billingCustomerId
          ? { billingCustomerId: event.customer.billingCustomerId }
          : {}),
      },
    });
    // The hops of the start and of the first steps are written together.
    await this.lineage.batch(manager, async () => {
      await this.lineage.record(
        {
          contractId,
          system: 'revline',
          objectType: 'Saga',
          externalId: saga.sagaId,
          status: 'started',
          correlationId: saga.correlationId,
          detail: kind,
        },
        manager,
      );
      await this.engine.advance(manager, saga);
      await this.store.save(manager, saga);
    });
    return saga;
  }
}
