import type {
  CrmAccount,
  CrmChangePage,
  CrmCursor,
  CrmFeedSignal,
  CrmOrder,
  CrmOrderLineRow,
  CrmProduct,
  CrmWriteBack,
  CrmWriteBackOutcome,
  CrmWriteBackResult,
} from './dto';

export interface CrmSubscription {
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /** Where to resume: a stored feed position, or null for new changes only. */
  from: string | null;
  /** Called for every signal, in order; the feed waits for the promise before the next. */
  onSignal(signal: CrmFeedSignal): Promise<void>;
  /** The stored position is too old for the feed to resume from: the caller must backfill by polling. */
  onPositionExpired(): Promise<void>;
}

/**
 * The CRM port: what Revline needs of the system where contracts start. One adapter per CRM (Salesforce
 * through jsforce first); process code sees only these terms.
 */
export abstract class CrmPort {
  /**
   * Orders with their lines, account and products; ids not found are left out, and so are deleted orders unless
   * `includeDeleted` asks for them (as they were when deleted, with `deleted: true`).
   */
  abstract readOrders(ids: readonly string[], options?: { includeDeleted?: boolean }): Promise<CrmOrder[]>;
  abstract readAccount(id: string): Promise<CrmAccount | null>;
  abstract readProduct(id: string): Promise<CrmProduct | null>;
  /** Activated orders changed, and orders deleted, after the cursor; oldest first, ties broken by id. */
  abstract changedOrdersSince(cursor: CrmCursor, limit: number): Promise<CrmChangePage>;
  /**
   * Every line of every activated order changed at or after `since` (ISO 8601), read in bulk — one query the CRM
   * evaluates once, its rows handed over a page at a time, in no particular order — so memory stays flat
   * whatever the org's size.
   */
  abstract activatedOrderLines(since: string): AsyncIterable<CrmOrderLineRow[]>;
  /** Writes integration fields and invoices; an idempotent update: a repeat leaves the record as it was. */
  abstract writeBack(command: CrmWriteBack): Promise<CrmWriteBackResult>;
  /**
   * Many write-backs, of any records, in as few CRM calls as it allows: one outcome per command, in order (a record
   * the CRM refused is its own command's error). Throws when the call itself failed (transport, rate limit): then no
   * command's outcome is known. A record appears at most once.
   */
  abstract writeBackMany(commands: readonly CrmWriteBack[]): Promise<CrmWriteBackOutcome[]>;
  abstract subscribe(options: SubscribeOptions): Promise<CrmSubscription>;
}
