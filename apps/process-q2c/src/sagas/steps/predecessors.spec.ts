import type { EntityManager } from 'typeorm';
import { describe, expect, it } from 'vitest';
import type { SagaData } from '../saga-data';
import { SagaEntity } from '../saga.entity';
import type { SagasRepository } from '../sagas.repository';
import { SagaPredecessors } from './predecessors';

const manager = {} as EntityManager;
const data = (fields: Partial<SagaData>): SagaData => ({
  salesforceOrderId: 'O-1',
  salesforceAccountId: 'A-1',
  currency: 'USD',
  pending: [],
  invoices: [],
  creditNotes: [],
  ...fields,
});

/** Predecessors over the sagas before this one, latest first (as the repository answers them). */
const predecessorsOf = (rows: Array<{ status: string; data: SagaData }>) =>
  new SagaPredecessors({ predecessors: () => Promise.resolve(rows) } as unknown as SagasRepository);

const amendment = () =>
  Object.assign(new SagaEntity(), { sagaId: 's-3', contractId: 'C-1', kind: 'expansion', data: data({}) });

describe('SagaPredecessors', () => {
  it('holds an amendment back while a saga before it is not completed', async () => {
    const saga = amendment();
    const done = await predecessorsOf([
      { status: 'waiting', data: data({}) },
      { status: 'completed', data: data({ subscriptionId: 'sub_1' }) },
    ]).done(manager, saga);
    expect(done).toBe(false);
    expect(saga.data.subscriptionId).toBeUndefined();
  });

  it('lets it go once they completed, with the latest ids they learnt', async () => {
    const saga = amendment();
    const done = await predecessorsOf([
      { status: 'completed', data: data({ billingCustomerId: 'cus_2' }) },
      {
        status: 'completed',
        data: data({
          subscriptionId: 'sub_1',
          billingCustomerId: 'cus_1',
          erpCustomerExternalId: 'CUST-A-1',
        }),
      },
    ]).done(manager, saga);
    expect(done).toBe(true);
    expect(saga.data).toMatchObject({
      subscriptionId: 'sub_1',
      billingCustomerId: 'cus_2',
      erpCustomerExternalId: 'CUST-A-1',
    });
  });

  it('keeps the ids the saga knows already', async () => {
    const saga = amendment();
    saga.data.subscriptionId = 'sub_9';
    await predecessorsOf([{ status: 'completed', data: data({ subscriptionId: 'sub_1' }) }]).done(
      manager,
      saga,
    );
    expect(saga.data.subscriptionId).toBe('sub_9');
  });
});
