import { Injectable } from '@nestjs/common';
import type { Envelope } from '@revline/messaging';
import { Inbox } from '@revline/messaging';
import { v7 as uuidv7 } from 'uuid';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import { ContractRegistry } from '../events/contract-registry';
import { CustomerMaster } from '../events/customer-master';
import { EventStore } from '../events/event-store';
import { LineageRecorder } from '../lineage/lineage-recorder';
import { ActiveMapping, MappingChanged } from '../mappings/active-mapping';
import { ContractHistoryReader } from '../sagas/contract-history.repository';
import { StartSaga } from '../sagas/start-saga';
import { ExceptionResolutions } from '../shared/exception-resolutions';
import type { CompiledMapping } from '../mappings/mapping-definition';
import { businessErrorOf, OrderRejected } from './problems';
import type { EventMeta } from './event-meta';
import { extractOrder } from './extract-order';
import type { MappedOrder } from './mapped-order';
import { heldCurrencyOnly, needsCustomerRecord } from './check-order';
import type { Normalised } from './normalise-order';
import { normaliseOrder, planOrder } from './normalise-order';
import { contractWaitKey, ParkedEvents } from './parked-events';
import { ParkedEventsRelay } from './parked-events.relay';
import { salesforceShape } from './record-shape';

export const NORMALISATION_CONSUMER = 'process-q2c.normalisation';

export type NormaliseOutcome =
  | { outcome: 'stored'; eventType: string; eventId: string; contractId: string }
  | { outcome: 'duplicate' | 'ignored' | 'parked' | 'already-applied'; reason?: string };

/** An amendment whose contract Revline has not stored yet: it parks until the booking arrives. */
class AwaitingContract extends Error {
  constructor(readonly salesforceContractId: string) {
    super(`Waiting for the booking of Salesforce contract ${salesforceContractId}`);
  }
}

/** What one run of a message's normalisation learnt, for what follows its transaction. */
interface Run {
  contractId: string | null;
  released: number;
  /** The statement that stored the event (or found it stored) confirmed the mapping version is the active one. */
  mappingConfirmed: boolean;
}

/** Runs of a message when other instances keep approving mapping versions under it (then the job retries). */
const MAPPING_ATTEMPTS = 3;

/** The source key of the canonical event an order's activation became. */
export const sourceKeyOf = (orderId: string): string => `salesforce:Order:${orderId}:activated`;

/**
 * crm.record-changed → a canonical event, stored with the inbox row in one transaction. An order is normalised
 * once (its activation is the event's source key); later captures of the same order only link the Salesforce
 * contract CPQ created from it, which releases amendments parked while waiting for it.
 */
@Injectable()
export class NormaliseRecordChange {
  constructor(
    private readonly inbox: Inbox,
    private readonly mappings: ActiveMapping,
    private readonly events: EventStore,
    private readonly contracts: ContractRegistry,
    private readonly customers: CustomerMaster,
    private readonly parked: ParkedEvents,
    private readonly relay: ParkedEventsRelay,
    private readonly lineage: LineageRecorder,
    private readonly dataSource: DataSource,
    private readonly sagas: StartSaga,
    private readonly history: ContractHistoryReader,
    private readonly exceptions: ExceptionResolutions,
  ) {}

  async execute(envelope: Envelope<'crm.record-changed'>): Promise<NormaliseOutcome> {
    const { payload } = envelope;
    if (payload.objectType !== 'Order' || payload.changeType === 'DELETE') {
      return { outcome: 'ignored', reason: `${payload.objectType} ${payload.changeType} is not normalised` };
    }
    // The mapping version in memory is assumed and confirmed in the transaction; when another instance approved
    // another one, nothing is written and normalisation starts again with the version now active.
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.normalise(envelope, await this.mappings.assumed());
      } catch (error) {
        if (!(error instanceof MappingChanged) || attempt >= MAPPING_ATTEMPTS) throw error;
        this.mappings.invalidate();
      }
    }
  }

  private async normalise(
    envelope: Envelope<'crm.record-changed'>,
    mapping: CompiledMapping,
  ): Promise<NormaliseOutcome> {
    const { payload } = envelope;
    const run: Run = { contractId: null, released: 0, mappingConfirmed: false };
    try {
      const result = await this.inbox.runOnce(NORMALISATION_CONSUMER, envelope, async (manager) => {
        try {
          const outcome = await this.apply(manager, envelope, mapping, run);
          if (!run.mappingConfirmed) await this.mappings.confirm(manager, mapping);
          return outcome;
        } catch (error) {
          // A refusal or a wait decided under the mapping holds only if it is still the active one.
          if (!run.mappingConfirmed && (error instanceof OrderRejected || error instanceof AwaitingContract))
            await this.mappings.confirm(manager, mapping);
          throw error;
        }
      });
      if (run.released > 0) this.relay.kick();
      return result.applied ? result.result : { outcome: 'already-applied' };
    } catch (error) {
      if (error instanceof AwaitingContract) return this.park(envelope, error);
      if (error instanceof OrderRejected) {
        const detail = error.problems.map((p) => `${p.category}: ${p.reason}`).join('; ');
        await this.lineage.record([
          this.capturedHop(envelope, run.contractId),
          this.revlineHop(envelope, run.contractId, 'exception', detail),
        ]);
        throw businessErrorOf(error.problems, { contractId: run.contractId ?? payload.recordId });
      }
      throw error;
    }
  }

  /** The transaction's work: the event, the contract, its links and lineage, the saga, the customer. */
  private async apply(
    manager: EntityManager,
    envelope: Envelope<'crm.record-changed'>,
    mapping: CompiledMapping,
    run: Run,
  ): Promise<NormaliseOutcome> {
    const { payload } = envelope;
    const order = extractOrder(salesforceShape(payload.record), mapping);
    const plan = planOrder(order);
    if (plan.kind === 'ignore') return { outcome: 'ignored' as const, reason: plan.reason };
    const sourceKey = sourceKeyOf(payload.recordId);
    if (plan.kind === 'booking') run.contractId = order.contractId;
    // A repeat of a stored order (found by its source key) only links the contracts it names. The insert of the
    // event finds it; the paths that stop before the insert (an order now refused, or waiting for a contract)
    // check the source key first, so a repeat ends as a duplicate there too.
    const duplicate = async () => {
      run.released = await this.linkContracts(manager, order, null);
      return { outcome: 'duplicate' as const, reason: `order ${payload.recordId} is already normalised` };
    };
    let contract = null;
    if (plan.kind === 'change' && plan.salesforceContractId) {
      contract = await this.contracts.findBySalesforceContract(manager, plan.salesforceContractId);
      if (!contract) {
        if (await this.events.hasSource(manager, sourceKey)) return duplicate();
        throw new AwaitingContract(plan.salesforceContractId);
      }
      run.contractId = contract.contractId;
    }
    // A booking's check of the held currency is left to the statement that stores its event (heldCurrencyOnly).
    const heldCurrency = heldCurrencyOnly(order, mapping, contract);
    const customer =
      !heldCurrency && needsCustomerRecord(order, mapping, contract)
        ? await this.customers.find(order.customer.salesforceAccountId, manager)
        : null;
    const meta = this.meta(envelope, mapping, sourceKey);
    const refused = async (error: unknown) => {
      if (await this.events.hasSource(manager, sourceKey)) return duplicate();
      throw error;
    };
    let normalised: Normalised;
    try {
      normalised = normaliseOrder(order, { mapping, customer, contract }, meta);
    } catch (error) {
      return refused(error);
    }
    const { event, state } = normalised;
    const { stored, activeVersion, conflicting } = await this.events.appendUnderMapping(
      manager,
      event,
      state.contractId,
      heldCurrency
        ? { salesforceAccountId: order.customer.salesforceAccountId, currency: order.currency }
        : null,
    );
    if (activeVersion !== mapping.version) throw new MappingChanged(mapping.version, activeVersion);
    run.mappingConfirmed = true;
    if (conflicting) {
      // The customer master holds another currency: nothing was stored, and the checks with its record refuse it.
      try {
        normaliseOrder(order, { mapping, customer: conflicting, contract }, meta);
      } catch (error) {
        return refused(error);
      }
      throw new Error('checkCurrency lets no order through whose held currency is another');
    }
    if (!stored) {
      // Stored already: by an earlier capture of the order, or by another capture we raced (we waited on its
      // lock). This capture may be the one that names the contract CPQ made from it (the other was taken before
      // CPQ contracted the order): link it, or an amendment of that contract would wait for it forever.
      return duplicate();
    }
    // A booking that creates its contract is the contract's whole history so far: its saga need not read it back.
    if ((await this.contracts.save(manager, state, event.messageId)) && event.eventType === 'ContractBooked')
      this.history.keepFirstBooking(manager, state.contractId, event);
    run.released = await this.linkContracts(manager, order, state.contractId);
    // The capture's hops are written with the saga's first rows, in one statement.
    await this.lineage.batch(manager, async () => {
      await this.lineage.record(
        [
          this.capturedHop(envelope, state.contractId),
          {
            contractId: state.contractId,
            system: 'revline',
            objectType: event.eventType,
            externalId: event.messageId,
            status: 'normalised',
            correlationId: envelope.correlationId,
            causationId: envelope.messageId,
            detail: `${event.eventType === 'ContractAmended' ? `${event.amendmentType}, ` : ''}mapping version ${String(mapping.version)}`,
          },
        ],
        manager,
      );
      await this.sagas.execute(manager, event, state.contractId, order.customer.salesforceAccountId);
    });
    await this.exceptions.jobSettled(manager, envelope.job, [envelope.idempotencyKey], 'Normalised on retry');
    // Last, just before the commit: the upsert locks the account's row until then, and the orders of one
    // account (a large customer's many contracts) would otherwise wait for each other's whole normalisation.
    await this.recordCustomer(manager, order, mapping);
    return {
      outcome: 'stored' as const,
      eventType: event.eventType,
      eventId: event.messageId,
      contractId: state.contractId,
    };
  }

  /**
   * Parks the message until its contract is linked. The booking may commit between our check and the park, so the
   * link is checked again afterwards and the message released at once if it has arrived.
   */
  private async park(
    envelope: Envelope<'crm.record-changed'>,
    waiting: AwaitingContract,
  ): Promise<NormaliseOutcome> {
    const waitKey = contractWaitKey(waiting.salesforceContractId);
    const reason = `Order ${envelope.payload.recordId} changes Salesforce contract ${waiting.salesforceContractId}, whose booking Revline has not stored yet`;
    await this.parked.park(envelope, waitKey, reason);
    await this.lineage.record([
      this.capturedHop(envelope, null),
      this.revlineHop(envelope, null, 'parked', reason),
    ]);
    if (await this.contracts.isLinked(this.dataSource.manager, waiting.salesforceContractId)) {
      if ((await this.parked.release([waitKey])) > 0) this.relay.kick();
    }
    return { outcome: 'parked', reason };
  }

  /** Links the Salesforce contract ids an order names to Revline's contract; releases what waited on them. */
  private async linkContracts(
    manager: EntityManager,
    order: MappedOrder,
    contractId: string | null,
  ): Promise<number> {
    const ref = order.amendedContractRef;
    if (!ref) return 0;
    // A booking's (and a renewal's) ContractId is the contract CPQ created from it; an amendment's is the one it amends.
    let target = contractId;
    if (order.orderType === 'amendment') return 0;
    if (order.orderType === 'new') target = order.contractId;
    if (order.orderType === 'renewal' && !target && order.renewedContractRef) {
      target =
        (await this.contracts.findBySalesforceContract(manager, order.renewedContractRef))?.contractId ??
        null;
    }
    if (!target) return 0;
    const linked = await this.contracts.link(manager, ref, target);
    return linked ? this.parked.release([contractWaitKey(ref)], manager) : 0;
  }

  private async recordCustomer(
    manager: EntityManager,
    order: MappedOrder,
    mapping: CompiledMapping,
  ): Promise<void> {
    const { customer } = order;
    await this.customers.record(
      customer.salesforceAccountId,
      {
        ...(customer.billingCustomerId ? { billingCustomerId: customer.billingCustomerId } : {}),
        ...(customer.erpCustomerId ? { erpCustomerId: customer.erpCustomerId } : {}),
        ...(customer.currency ? { currency: customer.currency } : {}),
      },
      'salesforce',
      mapping.definition.systemsOfRecord.customerMaster,
      manager,
    );
  }

  private meta(
    envelope: Envelope<'crm.record-changed'>,
    mapping: CompiledMapping,
    sourceKey: string,
  ): EventMeta {
    const { payload } = envelope;
    const captured = payload.capturedBy;
    return {
      messageId: uuidv7(),
      correlationId: envelope.correlationId,
      causationId: envelope.messageId,
      idempotencyKey: sourceKey,
      occurredAt: new Date(payload.commitTimestamp).toISOString(),
      tenantId: envelope.tenantId,
      mappingVersion: mapping.version,
      source: {
        system: 'salesforce',
        objectType: payload.objectType,
        objectId: payload.recordId,
        ...(captured.channel === 'cdc'
          ? { replayId: captured.replayId }
          : { eventId: captured.cursor.slice(0, 255) }),
      },
      externalRefs: payload.recordId.length <= 18 ? { salesforceId: payload.recordId } : {},
    };
  }

  /** A step Revline took on the order (parked, exception), at the time it took it. */
  private revlineHop(
    envelope: Envelope<'crm.record-changed'>,
    contractId: string | null,
    status: string,
    detail: string,
  ) {
    return {
      ...this.capturedHop(envelope, contractId),
      system: 'revline' as const,
      status,
      detail,
      causationId: envelope.messageId,
      occurredAt: new Date(),
    };
  }

  private capturedHop(envelope: Envelope<'crm.record-changed'>, contractId: string | null) {
    return {
      contractId,
      system: 'salesforce' as const,
      objectType: envelope.payload.objectType,
      externalId: envelope.payload.recordId,
      status: 'captured',
      correlationId: envelope.correlationId,
      causationId: envelope.causationId,
      occurredAt: new Date(envelope.payload.commitTimestamp),
    };
  }
}
