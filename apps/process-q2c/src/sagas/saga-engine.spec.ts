import type { ContractBooked } from '@revline/canonical';
import type { EntityManager } from 'typeorm';
import { describe, expect, it, vi } from 'vitest';
import type { LineageRecorder } from '../lineage/lineage-recorder';
import { SagasConfig } from '../shared/sagas.config';
import type { ContractHistoryReader } from './contract-history.repository';
import type { RampStepSchedule } from './ramp-step-schedule';
import { SagaEngine } from './saga-engine';
import type { SagaStep } from './saga-plan';
import { SagaEntity } from './saga.entity';
import type { SagasRepository } from './sagas.repository';
import type { SagaStepHandler } from './steps/saga-step';
import type { SyncLatencyMetric } from './sync-latency.metric';

type Step = Exclude<SagaStep, 'done'>;
const STEPS: readonly Step[] = [
  'billing_change',
  'await_invoice',
  'await_phase_invoice',
  'billing_credit',
  'await_credit_note',
  'erp_document',
  'revenue',
  'write_back',
];

const booking = { eventType: 'ContractBooked', mappingVersion: 1 } as unknown as ContractBooked;
const manager = {} as EntityManager;

/**
 * The engine with a handler per step that answers what `answers` says (true unless told), records the steps run,
 * and sends one awaited command on `sendsOn`.
 */
function engineWith(answers: Partial<Record<Step, boolean>> = {}, sendsOn?: Step) {
  const ran: Step[] = [];
  const handlers = Object.fromEntries(
    STEPS.map((step) => [
      step,
      {
        // As the real steps do, each asks for the saga's context (the engine reads it once).
        run: async (_m: EntityManager, saga: SagaEntity, context: () => Promise<unknown>) => {
          await context();
          ran.push(step);
          if (step === sendsOn) saga.data.pending.push(`key:${step}`);
          return answers[step] ?? true;
        },
      } satisfies Pick<SagaStepHandler, 'run'> as never,
    ]),
  ) as Record<Step, never>;
  const read = vi.fn(() => Promise.resolve({ booking, amendments: [] }));
  const history = { read, catalogue: () => Promise.resolve(new Map()) } as unknown as ContractHistoryReader;
  const record = vi.fn(() => Promise.resolve());
  const schedule = vi.fn(() => Promise.resolve());
  const observe = vi.fn();
  const engine = new SagaEngine(
    history,
    { record } as unknown as LineageRecorder,
    new SagasConfig(),
    { observe } as unknown as SyncLatencyMetric,
    { schedule } as unknown as RampStepSchedule,
    { successor: () => Promise.resolve(null) } as unknown as SagasRepository,
    handlers.billing_change,
    handlers.await_invoice,
    handlers.await_phase_invoice,
    handlers.billing_credit,
    handlers.await_credit_note,
    handlers.erp_document,
    handlers.revenue,
    handlers.write_back,
  );
  return { engine, ran, read, record, schedule, observe };
}

function bookingSaga(): SagaEntity {
  return Object.assign(new SagaEntity(), {
    sagaId: '0190a000-0000-7000-8000-000000000001',
    eventId: '0190a000-0000-7000-8000-0000000000e1',
    kind: 'booking',
    contractId: 'C-1',
    status: 'running',
    step: 'billing_change',
    correlationId: 'corr-1',
    committedAt: new Date('2026-01-05T10:00:00Z'),
    slaDeadline: null,
    lastError: null,
    completedAt: null,
    data: {
      salesforceOrderId: 'O-1',
      salesforceAccountId: 'A-1',
      currency: 'USD',
      pending: [],
      invoices: [],
      creditNotes: [],
    },
  });
}

describe('SagaEngine', () => {
  it("runs a booking's steps in order, reading the contract's history once, and waits for the commands sent", async () => {
    const { engine, ran, read } = engineWith({}, 'write_back');
    const saga = bookingSaga();
    await engine.advance(manager, saga);
    expect(ran).toEqual(['billing_change', 'await_invoice', 'erp_document', 'revenue', 'write_back']);
    expect(read).toHaveBeenCalledTimes(1);
    expect(saga.step).toBe('done');
    expect(saga.status).toBe('waiting');
    expect(saga.slaDeadline).not.toBeNull();
  });

  it('leaves the saga at a step whose handler cannot run yet, waiting', async () => {
    const { engine, ran } = engineWith({ await_invoice: false });
    const saga = bookingSaga();
    await engine.advance(manager, saga);
    expect(ran).toEqual(['billing_change', 'await_invoice']);
    expect(saga.step).toBe('await_invoice');
    expect(saga.status).toBe('waiting');
  });

  it('runs no step while a command is awaited', async () => {
    const { engine, ran, read } = engineWith();
    const saga = bookingSaga();
    saga.step = 'await_invoice';
    saga.data.pending.push('key:billing_change');
    await engine.advance(manager, saga);
    expect(ran).toEqual([]);
    expect(read).not.toHaveBeenCalled();
    expect(saga.step).toBe('await_invoice');
    expect(saga.status).toBe('waiting');
  });

  it('completes the saga after its last step: lineage, latency, and a booking schedules its ramp steps', async () => {
    const { engine, ran, record, schedule, observe } = engineWith();
    const saga = bookingSaga();
    saga.step = 'write_back';
    await engine.advance(manager, saga);
    expect(ran).toEqual(['write_back']);
    expect(saga.status).toBe('completed');
    expect(saga.completedAt).toBeInstanceOf(Date);
    expect(saga.slaDeadline).toBeNull();
    expect(record).toHaveBeenCalledWith(
      expect.objectContaining({ objectType: 'Saga', externalId: saga.sagaId, status: 'completed' }),
      manager,
    );
    expect(observe).toHaveBeenCalledWith('booking', expect.any(Number));
    expect(schedule).toHaveBeenCalledWith(manager, booking, 'C-1', 'corr-1');
  });

  it('completes a booking planned with no ramp steps without reading its history again', async () => {
    const { engine, read, schedule } = engineWith();
    const saga = bookingSaga();
    saga.step = 'done';
    saga.data.rampStepsDue = 0;
    await engine.advance(manager, saga);
    expect(saga.status).toBe('completed');
    expect(read).not.toHaveBeenCalled();
    expect(schedule).not.toHaveBeenCalled();
    // One planned with ramp steps (or started before the count was kept) reads it and schedules them.
    const ramped = bookingSaga();
    ramped.step = 'done';
    ramped.data.rampStepsDue = 2;
    await engine.advance(manager, ramped);
    expect(read).toHaveBeenCalledTimes(1);
    expect(schedule).toHaveBeenCalledWith(manager, booking, 'C-1', 'corr-1');
  });

  it('leaves a completed saga as it is', async () => {
    const { engine, ran, record } = engineWith();
    const saga = bookingSaga();
    saga.status = 'completed';
    await engine.advance(manager, saga);
    expect(ran).toEqual([]);
    expect(record).not.toHaveBeenCalled();
  });
});
