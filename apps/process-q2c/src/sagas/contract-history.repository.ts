import { Injectable } from '@nestjs/common';
import type { ContractAmended, ContractBooked } from '@revline/canonical';
import type { EntityManager } from 'typeorm';
import type { CatalogueEntry } from '../mappings/mapping-definition';
import { MappingVersionEntity } from '../mappings/mapping-version.entity';

/** A contract as its stored events tell it: the booking and the amendments, in the order they were stored. */
export interface ContractHistory {
  readonly booking: ContractBooked;
  readonly amendments: readonly ContractAmended[];
}

/** Reads the event store and the mapping versions the events were normalised with. */
@Injectable()
export class ContractHistoryReader {
  private readonly catalogues = new Map<number, ReadonlyMap<string, CatalogueEntry>>();
  /** Histories read in a transaction, by contract and event: a saga's steps and completion read the same one. */
  private readonly histories = new WeakMap<EntityManager, Map<string, ContractHistory>>();

  /**
   * The booking and the amendments stored up to and including `uptoEventId` (all of them when absent). A history up
   * to a stored event does not change (later events come after it), so the transaction reads it once.
   */
  async read(manager: EntityManager, contractId: string, uptoEventId?: string): Promise<ContractHistory> {
    // Kept for a transaction's manager only (a transaction's ends with it; the data source's would grow forever).
    const key =
      uptoEventId === undefined || !manager.queryRunner?.isTransactionActive
        ? undefined
        : `${contractId}/${uptoEventId}`;
    const kept = key === undefined ? undefined : this.histories.get(manager)?.get(key);
    if (kept) return kept;
    const rows = await manager.query<Array<{ event_id: string; payload: ContractBooked | ContractAmended }>>(
      `SELECT "event_id", "payload" FROM "q2c"."canonical_events" WHERE "contract_id" = $1
        ORDER BY "recorded_at", "event_id"`,
      [contractId],
    );
    let booking: ContractBooked | undefined;
    const amendments: ContractAmended[] = [];
    let reached = false;
    for (const row of rows) {
      if (row.payload.eventType === 'ContractBooked') booking = row.payload;
      else amendments.push(row.payload);
      if (row.event_id === uptoEventId) {
        reached = true;
        break;
      }
    }
    if (!booking) throw new Error(`Contract ${contractId} has no stored booking`);
    const history = { booking, amendments };
    if (key !== undefined && reached) this.keep(manager, key, history);
    return history;
  }

  /**
   * Keeps the history of a contract whose booking this transaction stored as its first event (its contract row is
   * new): the booking alone, which the saga it starts would otherwise read back.
   */
  keepFirstBooking(manager: EntityManager, contractId: string, booking: ContractBooked): void {
    if (manager.queryRunner?.isTransactionActive)
      this.keep(manager, `${contractId}/${booking.messageId}`, { booking, amendments: [] });
  }

  private keep(manager: EntityManager, key: string, history: ContractHistory): void {
    let byKey = this.histories.get(manager);
    if (!byKey) this.histories.set(manager, (byKey = new Map<string, ContractHistory>()));
    byKey.set(key, history);
  }

  /**
   * The product catalogue of a mapping version, by product code. A version's definition never changes once proposed
   * (approval and rejection change its status only), so each is read once per process and kept.
   */
  async catalogue(manager: EntityManager, version: number): Promise<ReadonlyMap<string, CatalogueEntry>> {
    const kept = this.catalogues.get(version);
    if (kept) return kept;
    const row = await manager.getRepository(MappingVersionEntity).findOneBy({ version });
    if (!row) throw new Error(`Mapping version ${String(version)} does not exist`);
    const catalogue = new Map(row.definition.productCatalogue.map((entry) => [entry.productCode, entry]));
    this.catalogues.set(version, catalogue);
    return catalogue;
  }
}
