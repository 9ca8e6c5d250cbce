import { Injectable } from '@nestjs/common';
import { SandboxClock } from '../org/clock';
import type { CommittedTransaction, RecordChange } from '../org/org-store';
import { OrgStore } from '../org/org-store';
import { objectDef } from '../org/schema';
import type { RecordValues } from '../org/values';
import { FaultSwitches } from '../faults';

export const RETENTION_MS = 72 * 3600 * 1000;
export const OVERFLOW_RECORD_ID = '000000000000000AAA';

export interface ChangeEventHeader {
  entityName: string;
  recordIds: string[];
  changeType: string;
  changeOrigin: string;
  transactionKey: string;
  sequenceNumber: number;
  commitTimestamp: number;
  commitNumber: number;
  commitUser: string;
  nulledFields: string[];
  diffFields: string[];
  changedFields: string[];
}

/** The `data` of a CometD change event message, as Salesforce sends it. */
export interface ChangeEventData {
  schema: string;
  payload: { ChangeEventHeader: ChangeEventHeader } & Record<string, unknown>;
  event: { replayId: number };
}

export interface LoggedEvent {
  replayId: number;
  entity: string;
  committedAt: number;
  data: ChangeEventData;
  /** Live delivery faults decided when the event was published. */
  delivery: 'normal' | 'dropped' | 'duplicated';
}

/** The bus's retained events and numbering as plain data, to keep them across restarts. */
export interface ChangeEventSnapshot {
  events: LoggedEvent[];
  nextReplayId: number;
  commitNumber: number;
  purgedUpTo: number;
}

/** `/data/OrderChangeEvent`; a custom object `Foo__c` publishes on `/data/Foo__ChangeEvent`. */
export function entityChannel(entity: string): string {
  return `/data/${entity.endsWith('__c') ? entity.slice(0, -1) : entity}ChangeEvent`;
}

/**
 * The org's change event bus: every committed transaction becomes change events (merged where Salesforce merges
 * them), each with a replay id, retained for 72 hours of the org's clock. Subscribers read it live or replay it.
 */
@Injectable()
export class ChangeEventLog {
  private events: LoggedEvent[] = [];
  private nextReplayId = 1;
  private commitNumber = 10_000_000;
  /** The highest replay id no longer retained: a subscriber asking to resume before it has missed events. */
  private purgedUpTo = 0;
  private readonly listeners: Array<(event: LoggedEvent) => void> = [];

  constructor(
    store: OrgStore,
    private readonly clock: SandboxClock,
    private readonly faults: FaultSwitches,
  ) {
    store.onCommit((tx) => {
      this.append(tx);
    });
  }

  onEvent(listener: (event: LoggedEvent) => void): void {
    this.listeners.push(listener);
  }

  reset(): void {
    this.purgedUpTo = this.nextReplayId - 1;
    this.events = [];
  }

  snapshot(): ChangeEventSnapshot {
    return {
      events: this.events,
      nextReplayId: this.nextReplayId,
      commitNumber: this.commitNumber,
      purgedUpTo: this.purgedUpTo,
    };
  }

  /** The retained events and the replay ids after them, so a subscriber resumes where it stopped. */
  restore(snapshot: ChangeEventSnapshot): void {
    this.events = snapshot.events;
    this.nextReplayId = Math.max(this.nextReplayId, snapshot.nextReplayId);
    this.commitNumber = Math.max(this.commitNumber, snapshot.commitNumber);
    this.purgedUpTo = snapshot.purgedUpTo;
  }

  get latestReplayId(): number {
    return this.nextReplayId - 1;
  }

  /** Drops events older than the retention window of the org's clock. */
  purge(): void {
    const horizon = this.clock.now().getTime() - RETENTION_MS;
    let cut = 0;
    while (cut < this.events.length && this.events[cut].committedAt < horizon) cut += 1;
    if (cut === 0) return;
    this.purgedUpTo = this.events[cut - 1].replayId;
    this.events = this.events.slice(cut);
  }

  /** Whether a subscriber may resume after `replayId` without having missed a purged event. */
  canReplayFrom(replayId: number): boolean {
    this.purge();
    if (replayId === -1 || replayId === -2) return true;
    return Number.isInteger(replayId) && replayId >= this.purgedUpTo && replayId <= this.latestReplayId;
  }

  /** Retained events after `replayId` (-2: all retained; -1: none), oldest first. */
  after(replayId: number): LoggedEvent[] {
    this.purge();
    if (replayId === -1) return [];
    const from = replayId === -2 ? 0 : replayId;
    return this.events.filter((e) => e.replayId > from);
  }

  private append(tx: CommittedTransaction): void {
    this.commitNumber += 1;
    const grouped = this.merge(tx.changes);
    let sequence = 0;
    for (const group of grouped) {
      sequence += 1;
      const header: ChangeEventHeader = {
        entityName: group.entity,
        recordIds: group.recordIds,
        changeType: group.changeType,
        changeOrigin: tx.context.changeOrigin,
        transactionKey: tx.transactionKey,
        sequenceNumber: group.changeType.startsWith('GAP_') ? 1 : sequence,
        commitTimestamp: tx.committedAt.getTime(),
        commitNumber: this.commitNumber,
        commitUser: tx.context.userId,
        nulledFields: group.nulledFields,
        diffFields: [],
        changedFields: group.changedFields,
      };
      const event: LoggedEvent = {
        replayId: this.nextReplayId,
        entity: group.entity,
        committedAt: tx.committedAt.getTime(),
        data: {
          schema: `sandbox-${group.entity}-v1`,
          payload: { ChangeEventHeader: header, ...group.values },
          event: { replayId: this.nextReplayId },
        },
        delivery: this.faults.roll(this.faults.settings.dropRate)
          ? 'dropped'
          : this.faults.roll(this.faults.settings.duplicateRate)
            ? 'duplicated'
            : 'normal',
      };
      this.nextReplayId += 1;
      this.events.push(event);
      for (const listener of this.listeners) listener(event);
    }
  }

  /**
   * Salesforce merges changes of one object, of one type, with the same field values, made in one transaction,
   * into one event whose recordIds lists them all. Gap and overflow faults replace changes here.
   */
  private merge(changes: RecordChange[]): Array<{
    entity: string;
    changeType: string;
    recordIds: string[];
    changedFields: string[];
    nulledFields: string[];
    values: RecordValues;
  }> {
    const settings = this.faults.settings;
    const overflowFrom = settings.forceGapOverflow ? settings.overflowAfter : Number.POSITIVE_INFINITY;
    if (settings.forceGapOverflow) this.faults.update({ forceGapOverflow: false });
    const groups = new Map<
      string,
      {
        entity: string;
        changeType: string;
        recordIds: string[];
        changedFields: string[];
        nulledFields: string[];
        values: RecordValues;
      }
    >();
    const overflowed = new Set<string>();
    changes.forEach((change, index) => {
      if (!objectDef(change.object)?.cdc) return;
      if (index >= overflowFrom) {
        overflowed.add(change.object);
        return;
      }
      const gap = this.faults.roll(settings.gapRate);
      const changeType = gap ? `GAP_${change.changeType}` : change.changeType;
      const values: RecordValues = gap ? {} : { ...change.values };
      delete values.Id;
      const changedFields = gap ? [] : change.changedFields;
      const nulledFields = changedFields.filter((f) => values[f] === null);
      const key = JSON.stringify([change.object, changeType, changedFields, values]);
      const existing = groups.get(key);
      if (existing) existing.recordIds.push(change.id);
      else
        groups.set(key, {
          entity: change.object,
          changeType,
          recordIds: [change.id],
          changedFields,
          nulledFields,
          values,
        });
    });
    const out = [...groups.values()];
    for (const entity of overflowed) {
      out.push({
        entity,
        changeType: 'GAP_OVERFLOW',
        recordIds: [OVERFLOW_RECORD_ID],
        changedFields: [],
        nulledFields: [],
        values: {},
      });
    }
    return out;
  }
}
