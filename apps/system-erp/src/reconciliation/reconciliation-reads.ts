import { Injectable } from '@nestjs/common';
import type {
  ErpContractBalanceRow,
  ErpContractBalances,
  ErpDocumentKind,
  ErpDocumentSummary,
  ErpPostingWindow,
  ErpRevenuePosting,
} from '@revline/erp-port';
import { ErpPort, ErpRejectedError, ErpUnavailableError } from '@revline/erp-port';
import { DomainError } from '@revline/http';

/** The ERP's failures as HTTP answers: unreachable → 503 (retry), refused → 502 (the query is ours to fix). */
async function answering<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw toHttpError(error);
  }
}

export function toHttpError(error: unknown): unknown {
  if (error instanceof ErpUnavailableError)
    return new DomainError(503, `The ERP is unavailable: ${error.message}`);
  if (error instanceof ErpRejectedError) {
    return new DomainError(502, `The ERP refused the read (${error.vendorCode}): ${error.message}`);
  }
  return error;
}

/** Reads of the ERP's books for reconciliation, through the port. */
@Injectable()
export class ReconciliationReads {
  constructor(private readonly erp: ErpPort) {}

  documents(kind: ErpDocumentKind, window: ErpPostingWindow): Promise<ErpDocumentSummary[]> {
    return answering(async () => {
      const all: ErpDocumentSummary[] = [];
      for await (const page of this.erp.exportDocuments(kind, window)) all.push(...page);
      return all;
    });
  }

  /** Page by page, for streaming exports; a failure mid-way ends the stream with an error. */
  documentPages(kind: ErpDocumentKind, window: ErpPostingWindow): AsyncIterable<ErpDocumentSummary[]> {
    return this.erp.exportDocuments(kind, window);
  }

  revenuePostings(window: ErpPostingWindow): Promise<ErpRevenuePosting[]> {
    return answering(() => this.erp.revenuePostings(window));
  }

  /** Every contract's balances at a period end, page by page, for the streamed export. */
  contractBalancePages(asOfPeriod: string): AsyncIterable<ErpContractBalanceRow[]> {
    return this.erp.exportContractBalances(asOfPeriod);
  }

  contractBalances(contractId: string, asOfPeriod: string): Promise<ErpContractBalances> {
    return answering(() => this.erp.contractBalances(contractId, asOfPeriod));
  }
}
