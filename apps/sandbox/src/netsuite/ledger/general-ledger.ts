import { Injectable } from '@nestjs/common';
import { userError } from '../errors/netsuite-error';

/** One line of the general ledger. Amounts are integer minor units of the transaction's currency. */
export interface LedgerLine {
  transaction: string;
  transactionType: string;
  externalId: string | null;
  line: number;
  account: string;
  debitMinor: bigint;
  creditMinor: bigint;
  /** The currency's exponent, to print the amounts. */
  exponent: number;
  currency: string;
  subsidiary: string;
  postingPeriod: string;
  tranDate: string;
  entity: string | null;
  class: string | null;
  contract: string | null;
  obligation: string | null;
  memo: string | null;
  /** An invoice item line's revenue plan column fields (custcol_rl_schedule_*), when it carries one. */
  schedule?: LedgerLineSchedule;
}

export interface LedgerLineSchedule {
  version: number;
  /** The total as sent (decimal text) and the periods' JSON text. */
  total: string;
  periods: string;
}

export type LedgerLineInput = Omit<LedgerLine, 'line'>;

/**
 * A double-entry general ledger: a transaction's lines are posted together or not at all, they always
 * balance, and a closed period refuses any posting, change or removal.
 */
@Injectable()
export class GeneralLedger {
  private readonly byTransaction = new Map<string, LedgerLine[]>();
  private readonly closed = new Set<string>();
  /** Bumped by every change: lets readers cache what they derive from the ledger. */
  revision = 0;

  /** Checks that lines could replace a transaction's current ones; throws the NetSuite error if not. */
  check(transaction: string, lines: readonly LedgerLineInput[]): void {
    for (const period of new Set(lines.map((l) => l.postingPeriod))) this.assertOpen(period);
    for (const old of this.byTransaction.get(transaction) ?? []) this.assertOpen(old.postingPeriod);
    const debit = lines.reduce((sum, l) => sum + l.debitMinor, 0n);
    const credit = lines.reduce((sum, l) => sum + l.creditMinor, 0n);
    if (debit !== credit) {
      throw userError('The transaction is out of balance: total debits must equal total credits.');
    }
    if (new Set(lines.map((l) => l.currency)).size > 1) {
      throw userError('All lines of a transaction must be in one currency.', 'currency');
    }
  }

  /** Replaces a transaction's lines (a new transaction has none); call check() first. */
  post(transaction: string, lines: readonly LedgerLineInput[]): void {
    this.check(transaction, lines);
    this.revision += 1;
    this.byTransaction.set(
      transaction,
      lines.map((l, i) => ({ ...l, line: i })),
    );
  }

  checkRemovable(transaction: string): void {
    for (const old of this.byTransaction.get(transaction) ?? []) this.assertOpen(old.postingPeriod);
  }

  remove(transaction: string): void {
    this.checkRemovable(transaction);
    this.revision += 1;
    this.byTransaction.delete(transaction);
  }

  lines(): LedgerLine[] {
    return [...this.byTransaction.values()].flat();
  }

  /** One transaction's lines (none for an unknown one). */
  linesOf(transaction: string): readonly LedgerLine[] {
    return this.byTransaction.get(transaction) ?? [];
  }

  closePeriod(period: string): void {
    this.revision += 1;
    this.closed.add(period);
  }

  reopenPeriod(period: string): void {
    this.revision += 1;
    this.closed.delete(period);
  }

  isClosed(period: string): boolean {
    return this.closed.has(period);
  }

  closedPeriods(): string[] {
    return [...this.closed].sort();
  }

  /** Debits minus credits over the whole ledger, per currency: zero in every currency, always. */
  imbalance(): Record<string, string> {
    const out: Record<string, bigint> = {};
    for (const l of this.lines()) out[l.currency] = (out[l.currency] ?? 0n) + l.debitMinor - l.creditMinor;
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.toString()]));
  }

  reset(): void {
    this.revision += 1;
    this.byTransaction.clear();
    this.closed.clear();
  }

  /** The posted lines by transaction and the closed periods, to keep them across restarts. */
  snapshot(): { byTransaction: Map<string, LedgerLine[]>; closed: Set<string> } {
    return { byTransaction: new Map(this.byTransaction), closed: new Set(this.closed) };
  }

  restore(snapshot: { byTransaction: Map<string, LedgerLine[]>; closed: Set<string> }): void {
    this.reset();
    for (const [transaction, lines] of snapshot.byTransaction) this.byTransaction.set(transaction, lines);
    for (const period of snapshot.closed) this.closed.add(period);
  }

  private assertOpen(period: string): void {
    if (this.closed.has(period)) {
      throw userError(
        `The accounting period ${period} is closed. You cannot post, change or delete transactions in a closed period.`,
        'postingPeriod',
      );
    }
  }
}
