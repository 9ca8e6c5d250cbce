import { Inject, Injectable, Optional } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Outbox } from './outbox';
import type { ForwardingSystem } from './payloads';

export const FORWARD_EXCEPTIONS = 'revline:forward-exceptions';

/** A row of a system API's `exceptions` table as the recording query returns it. */
export interface RecordedException {
  id: string;
  occurrences: number;
  category: string;
  reason: string;
  details: Record<string, unknown>;
  job: string;
  queue: string;
  idempotency_key: string;
  envelope: Record<string, unknown>;
}

export const RECORDED_COLUMNS = `"id", "occurrences", "category", "reason", "details", "job", "queue", "idempotency_key", "envelope"`;

/**
 * In a system API, every exception recorded (or reopened) in its own table is also an outbox message of the
 * same transaction (`system.exception-raised`), and one it settles by itself a `system.exception-cleared`, so
 * process-q2c's workbench holds them all. Keys are deterministic: the exception's id and its occurrence.
 */
@Injectable()
export class ExceptionForwarding {
  constructor(
    private readonly outbox: Outbox,
    @Optional() @Inject(FORWARD_EXCEPTIONS) private readonly system?: ForwardingSystem,
  ) {}

  get enabled(): boolean {
    return this.system !== undefined;
  }

  async raised(manager: EntityManager, row: RecordedException): Promise<void> {
    if (!this.system) return;
    const envelope = row.envelope as { correlationId?: string; payload?: { contractId?: unknown } };
    const contractId = row.details.contractId ?? envelope.payload?.contractId;
    await this.outbox.add(
      manager,
      'system.exception-raised',
      {
        system: this.system,
        sourceExceptionId: row.id,
        occurrences: row.occurrences,
        category: row.category,
        reason: row.reason,
        details: { ...row.details, ...(typeof contractId === 'string' ? { contractId } : {}) },
        job: row.job,
        queue: row.queue,
        idempotencyKey: row.idempotency_key,
        envelope: row.envelope,
      },
      {
        idempotencyKey: `${this.system}:exception:${row.id}:${String(row.occurrences)}`,
        causationId: null,
        ...(envelope.correlationId ? { correlationId: envelope.correlationId } : {}),
      },
    );
  }

  async cleared(
    manager: EntityManager,
    row: { id: string; occurrences: number },
    resolution: string,
  ): Promise<void> {
    if (!this.system) return;
    await this.outbox.add(
      manager,
      'system.exception-cleared',
      { system: this.system, sourceExceptionId: row.id, occurrences: row.occurrences, resolution },
      {
        idempotencyKey: `${this.system}:exception:${row.id}:${String(row.occurrences)}:cleared`,
        causationId: null,
      },
    );
  }
}
