import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SAGA_STATUS } from '../saga-data';
import type { SagaData } from '../saga-data';
import type { SagaEntity } from '../saga.entity';
import { SagasRepository } from '../sagas.repository';

/**
 * Changes to one contract reach the billing platform one at a time, in the order they were stored: an amendment
 * waits for the sagas before it, then works on the subscription and customers they created.
 */
@Injectable()
export class SagaPredecessors {
  constructor(private readonly sagas: SagasRepository) {}

  /** Whether every saga before this one completed; if so, what they created is known to this one too. */
  async done(manager: EntityManager, saga: SagaEntity): Promise<boolean> {
    const rows = await this.sagas.predecessors(manager, saga.contractId, saga.sagaId);
    if (rows.some((r) => r.status !== SAGA_STATUS.completed)) return false;
    const known = (pick: (d: SagaData) => string | undefined) =>
      rows.map((r) => pick(r.data)).find((v) => v !== undefined);
    saga.data.subscriptionId ??= known((d) => d.subscriptionId);
    saga.data.billingCustomerId ??= known((d) => d.billingCustomerId);
    saga.data.erpCustomerExternalId ??= known((d) => d.erpCustomerExternalId);
    return true;
  }
}
