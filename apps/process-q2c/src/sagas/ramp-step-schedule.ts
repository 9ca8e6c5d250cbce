import { Injectable } from '@nestjs/common';
import type { ContractBooked } from '@revline/canonical';
import { Outbox } from '@revline/messaging';
import { newCorrelationId } from '@revline/observability';
import type { EntityManager } from 'typeorm';
import { LineageRecorder } from '../lineage/lineage-recorder';

/** A ramp step falling due: the first day of later ramp segments (one per date, naming its first segment). */
export interface RampStepDue {
  readonly segmentId: string;
  readonly dueOn: string;
}

/** The dates a booking's ramps step up or down: every segment start but each line's first. */
export function rampStepsDue(booking: Pick<ContractBooked, 'lines'>): RampStepDue[] {
  const byDate = new Map<string, string>();
  for (const line of booking.lines) {
    const segments = [...(line.rampSegments ?? [])].sort((a, b) => a.start.localeCompare(b.start));
    for (const segment of segments.slice(1)) {
      const known = byDate.get(segment.start);
      if (known === undefined || segment.segmentId < known) byDate.set(segment.start, segment.segmentId);
    }
  }
  return [...byDate.entries()]
    .map(([dueOn, segmentId]) => ({ segmentId, dueOn }))
    .sort((a, b) => a.dueOn.localeCompare(b.dueOn));
}

/** The idempotency key of a ramp step's due job: re-scheduling the same step is a no-op. */
export const rampStepKey = (contractId: string, dueOn: string): string =>
  `q2c.ramp-step-due:${contractId}:${dueOn}`;

/**
 * Vendors announce nothing when a ramp interval starts, so Revline schedules it itself: when a booking's saga
 * completes, one delayed `q2c.ramp-step-due` job per later segment start goes through the outbox, due at 00:00 UTC
 * of that day. Each step is a contract change of its own, so it gets a correlation id of its own, caused by the
 * booking.
 */
@Injectable()
export class RampStepSchedule {
  constructor(
    private readonly outbox: Outbox,
    private readonly lineage: LineageRecorder,
  ) {}

  async schedule(
    manager: EntityManager,
    booking: ContractBooked,
    contractId: string,
    bookingCorrelationId: string,
  ): Promise<RampStepDue[]> {
    const due = rampStepsDue(booking);
    for (const step of due) {
      const envelope = await this.outbox.add(
        manager,
        'q2c.ramp-step-due',
        { contractId, segmentId: step.segmentId, dueOn: step.dueOn },
        {
          idempotencyKey: rampStepKey(contractId, step.dueOn),
          correlationId: newCorrelationId(),
          causationId: booking.messageId,
          notBefore: new Date(`${step.dueOn}T00:00:00.000Z`),
        },
      );
      await this.lineage.record(
        {
          contractId,
          system: 'revline',
          objectType: 'RampStep',
          externalId: `${contractId}:${step.dueOn}`,
          status: 'scheduled',
          correlationId: bookingCorrelationId,
          detail: `segment ${step.segmentId} due ${step.dueOn} (correlation ${envelope.correlationId})`,
        },
        manager,
      );
    }
    return due;
  }
}
