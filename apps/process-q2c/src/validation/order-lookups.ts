import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ContractState } from '../events/contract-state';
import type { CustomerRecord } from '../events/customer-master';

export interface OrderLookup {
  readonly customer: CustomerRecord | null;
  readonly contract: ContractState | null;
}

interface Wanted {
  readonly salesforceAccountId: string;
  readonly salesforceContractId: string | null;
  resolve(lookup: OrderLookup): void;
  reject(error: unknown): void;
}

/** The most orders one lookup query reads. */
export const LOOKUP_BATCH = 256;
/** The most lookup queries in flight at once; orders arriving meanwhile wait for the next one. */
const IN_FLIGHT = 2;

/**
 * What validation reads about an order: the customer master's record of its account and, for an amendment or
 * renewal, the contract its Salesforce contract id names (the same rows CustomerMaster.find and
 * ContractRegistry.peekBySalesforceContract read, built as JSON in Postgres so dates stay calendar dates).
 *
 * The synchronous validation route is bound by its round trips to Postgres (each a socket write and read on the
 * event loop, the dearest thing it does), so lookups are asked together: the orders that arrive in one turn of the
 * event loop share a query, and while IN_FLIGHT queries are out, later orders queue for the next one. One order
 * alone still costs one query at once; under load, batches grow by themselves instead of queries piling up.
 * Nothing is cached, so an answer is never staler than the moment its query ran.
 */
@Injectable()
export class OrderLookups {
  private queue: Wanted[] = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(private readonly dataSource: DataSource) {}

  find(salesforceAccountId: string, salesforceContractId: string | null): Promise<OrderLookup> {
    return new Promise<OrderLookup>((resolve, reject) => {
      this.queue.push({ salesforceAccountId, salesforceContractId, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    });
  }

  private flush(): void {
    while (this.queue.length > 0 && this.inFlight < IN_FLIGHT) {
      const batch = this.queue.splice(0, LOOKUP_BATCH);
      this.inFlight += 1;
      void this.run(batch).finally(() => {
        this.inFlight -= 1;
        this.flush();
      });
    }
  }

  private async run(batch: readonly Wanted[]): Promise<void> {
    try {
      const rows = await this.dataSource.query<
        Array<{ i: number; customer: CustomerRecord | null; contract: ContractState | null }>
      >(
        `SELECT w."i"::int AS "i",
           (SELECT json_build_object('billingCustomerId', c."billing_customer_id",
                                     'erpCustomerId', c."erp_customer_id",
                                     'currency', c."currency", 'recordedFrom', c."recorded_from")
              FROM "q2c"."customers" c WHERE c."salesforce_account_id" = w."account") AS "customer",
           (SELECT json_build_object('contractId', k."contract_id", 'salesforceAccountId', k."salesforce_account_id",
                                     'currency', k."currency", 'termStart', k."term_start", 'termEnd', k."term_end",
                                     'status', k."status", 'lines', k."lines")
              FROM "q2c"."contract_refs" r JOIN "q2c"."contracts" k ON k."contract_id" = r."contract_id"
             WHERE r."salesforce_contract_id" = w."contract") AS "contract"
         FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS w("account", "contract", "i")`,
        [batch.map((w) => w.salesforceAccountId), batch.map((w) => w.salesforceContractId)],
      );
      const found = new Map(rows.map((r) => [r.i, r]));
      batch.forEach((wanted, index) => {
        const row = found.get(index + 1);
        wanted.resolve({ customer: row?.customer ?? null, contract: row?.contract ?? null });
      });
    } catch (error) {
      for (const wanted of batch) wanted.reject(error);
    }
  }
}
