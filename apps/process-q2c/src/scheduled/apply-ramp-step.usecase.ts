import { Injectable } from '@nestjs/common';
import type { ContractAmended } from '@revline/canonical';
import { ContractAmendedSchema } from '@revline/canonical';
import type { Envelope } from '@revline/messaging';
import { BusinessError } from '@revline/messaging';
import { v7 as uuidv7 } from 'uuid';
import type { EntityManager } from 'typeorm';
import { ContractRegistry } from '../events/contract-registry';
import type { ContractLineState, ContractState } from '../events/contract-state';
import { EventStore } from '../events/event-store';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { checkedEvent } from '../normalisation/event-meta';
import { ContractHistoryReader } from '../sagas/contract-history.repository';
import { StartSaga } from '../sagas/start-saga';

export type RampStepOutcome =
  { outcome: 'started'; eventId: string; sagaId: string } | { outcome: 'skipped'; reason: string };

/** The business key of a ramp step: one canonical event per contract and date, ever. */
export const rampStepSourceKey = (contractId: string, dueOn: string): string =>
  `revline:RampStep:${contractId}:${dueOn}`;

/** The contract's lines with the ramp segments starting on `dueOn` in force. */
function stepLines(contract: ContractState, dueOn: string): ContractLineState[] {
  return contract.lines.map((line) => {
    const segment = (line.rampSegments ?? []).find((s) => s.start === dueOn);
    return segment ? { ...line, quantity: segment.quantity, unitPrice: segment.unitPrice } : line;
  });
}

/**
 * A ramp step falling due (`q2c.ramp-step-due`): records a canonical `ContractAmended` of type `ramp_step` and
 * starts its saga, in the transaction of the job's inbox row. The step was priced and scheduled in the booking —
 * the billing platform holds it as a schedule phase and the revenue schedule as a ramp segment — so the event
 * changes no consideration (no line deltas, a separate-contract treatment with nothing added): its saga books the
 * phase's invoice in the ERP and writes back, and revenue gets a new schedule version only if the engine finds a
 * change. A step for a contract cancelled since, or one already applied, is a no-op recorded in lineage.
 */
@Injectable()
export class ApplyRampStep {
  constructor(
    private readonly contracts: ContractRegistry,
    private readonly events: EventStore,
    private readonly history: ContractHistoryReader,
    private readonly sagas: StartSaga,
    private readonly lineage: LineageRecorder,
  ) {}

  async execute(manager: EntityManager, envelope: Envelope<'q2c.ramp-step-due'>): Promise<RampStepOutcome> {
    const { contractId, segmentId, dueOn } = envelope.payload;
    const contract = await this.contracts.get(manager, contractId);
    if (!contract) {
      throw new BusinessError(
        'unknown_contract',
        `Ramp step ${segmentId} is due for unknown contract ${contractId}`,
        {
          contractId,
          segmentId,
          dueOn,
        },
      );
    }
    const skip = (reason: string) => this.skip(manager, envelope, reason);
    if (contract.status === 'cancelled') return skip(`contract ${contractId} was cancelled since`);
    const stepping = contract.lines.filter((l) => (l.rampSegments ?? []).some((s) => s.start === dueOn));
    if (!stepping.some((l) => (l.rampSegments ?? []).some((s) => s.segmentId === segmentId)))
      return skip(`segment ${segmentId} starting ${dueOn} is not in contract ${contractId}`);
    const sourceKey = rampStepSourceKey(contractId, dueOn);
    if (await this.events.hasSource(manager, sourceKey))
      return skip(`ramp step of ${dueOn} was already applied`);
    const { booking, amendments } = await this.history.read(manager, contractId);
    if (amendments.some((a) => a.amendmentType === 'ramp_step' && a.effectiveDate === dueOn))
      return skip(`an amendment already stepped the ramp on ${dueOn}`);
    if (dueOn > contract.termEnd) return skip(`${dueOn} is after the term ends (${contract.termEnd})`);

    const event: ContractAmended = checkedEvent(ContractAmendedSchema, {
      eventType: 'ContractAmended',
      schemaVersion: '1.1',
      messageId: uuidv7(),
      correlationId: envelope.correlationId,
      causationId: envelope.messageId,
      idempotencyKey: sourceKey,
      occurredAt: new Date().toISOString(),
      tenantId: envelope.tenantId,
      ...(booking.mappingVersion !== undefined ? { mappingVersion: booking.mappingVersion } : {}),
      source: {
        system: 'revline',
        objectType: 'RampStep',
        objectId: `${contractId}:${dueOn}`,
        eventId: envelope.messageId,
      },
      externalRefs: {},
      amendmentId: `ramp-${contractId}-${dueOn}`,
      amendsContractId: contractId,
      amendmentType: 'ramp_step',
      effectiveDate: dueOn,
      coTerminated: true,
      lineDeltas: [],
      modificationTreatment: 'separate_contract',
      modificationReason: `Ramp step of ${dueOn} (segments ${stepping
        .flatMap((l) => (l.rampSegments ?? []).filter((s) => s.start === dueOn).map((s) => s.segmentId))
        .join(', ')}): priced and scheduled at booking, no new consideration`,
    });
    if (!(await this.events.append(manager, event, contractId)))
      return skip(`ramp step of ${dueOn} was already applied`);
    await this.contracts.save(manager, { ...contract, lines: stepLines(contract, dueOn) }, event.messageId);
    await this.lineage.record(
      {
        contractId,
        system: 'revline',
        objectType: 'ContractAmended',
        externalId: event.messageId,
        status: 'normalised',
        correlationId: envelope.correlationId,
        causationId: envelope.messageId,
        detail: `ramp_step, due ${dueOn}`,
      },
      manager,
    );
    const saga = await this.sagas.execute(
      manager,
      event,
      contractId,
      contract.salesforceAccountId,
      booking.source.objectId,
    );
    return { outcome: 'started', eventId: event.messageId, sagaId: saga.sagaId };
  }

  private async skip(
    manager: EntityManager,
    envelope: Envelope<'q2c.ramp-step-due'>,
    reason: string,
  ): Promise<RampStepOutcome> {
    const { contractId, dueOn } = envelope.payload;
    await this.lineage.record(
      {
        contractId,
        system: 'revline',
        objectType: 'RampStep',
        externalId: `${contractId}:${dueOn}`,
        status: 'skipped',
        correlationId: envelope.correlationId,
        causationId: envelope.messageId,
        detail: reason,
      },
      manager,
    );
    return { outcome: 'skipped', reason };
  }
}
