import type {
  ErpContractBalanceRow,
  ErpContractBalances,
  ErpCustomer,
  ErpDocument,
  ErpDocumentKind,
  ErpDocumentSummary,
  ErpInvoiceVoid,
  ErpPayment,
  ErpPeriodJournal,
  ErpPostingResult,
  ErpRevenueJournal,
  ErpPostingWindow,
  ErpRevenuePosting,
  ErpRevenueSchedule,
} from './erp-types';

/**
 * The ERP, in Revline's terms. Every write is an upsert by the record's deterministic external id: calling it
 * again after a timeout finds the record instead of creating a second. Writes throw ErpRejectedError when the
 * ERP refuses (closed period, invalid data) and ErpUnavailableError when it cannot answer now.
 *
 * NetSuite is the first adapter; a Sage Intacct or SAP adapter implements the same class.
 */
export abstract class ErpPort {
  /** The ERP's name, for logs, metrics and events: `netsuite`. */
  abstract readonly system: string;

  abstract upsertCustomer(customer: ErpCustomer): Promise<ErpPostingResult>;
  abstract postInvoice(invoice: ErpDocument): Promise<ErpPostingResult>;
  abstract postCreditMemo(creditMemo: ErpDocument): Promise<ErpPostingResult>;
  /**
   * Reverses an invoice in full with a credit memo made from it (kind `creditMemo`). Done already (the credit
   * memo's external id is taken), it answers the credit memo made before.
   */
  abstract voidInvoice(reversal: ErpInvoiceVoid): Promise<ErpPostingResult>;
  abstract postPayment(payment: ErpPayment): Promise<ErpPostingResult>;
  abstract upsertRevenueSchedule(schedule: ErpRevenueSchedule): Promise<ErpPostingResult>;
  /** Posts a period's recognition (deferred → revenue); a zero amount posts nothing and returns null. */
  abstract postRevenueJournal(journal: ErpRevenueJournal): Promise<ErpPostingResult | null>;
  /**
   * Posts one journal of a period close (its lines as given, dated the period's last day). Posted already (its
   * external id is taken), it is found and updated, never posted twice. A period the ERP has closed is refused
   * (ErpRejectedError, category `closed_period`).
   */
  abstract postPeriodJournal(journal: ErpPeriodJournal): Promise<ErpPostingResult>;

  /** Documents of one kind posted in a period (or dated in a window), page by page (for reconciliation exports). */
  abstract exportDocuments(
    kind: ErpDocumentKind,
    window: ErpPostingWindow,
  ): AsyncIterable<ErpDocumentSummary[]>;
  /**
   * Revenue recognised in a period (or on transactions dated in a window) by contract, obligation, product class and
   * subsidiary.
   */
  abstract revenuePostings(window: ErpPostingWindow): Promise<ErpRevenuePosting[]>;
  /** Deferred, recognised, receivable and unbilled balances of a contract at the end of a period. */
  abstract contractBalances(contractId: string, asOfPeriod: string): Promise<ErpContractBalances>;
  /** Every contract's deferred, recognised, receivable and unbilled balances at the end of a period, page by page. */
  abstract exportContractBalances(asOfPeriod: string): AsyncIterable<ErpContractBalanceRow[]>;
}
