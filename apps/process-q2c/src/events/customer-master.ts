import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { SystemName } from '../mappings/mapping-definition';
import { CustomerEntity } from './customer.entity';

/** What Revline holds for a customer (see CustomerMaster), compared with what the order says. */
export interface CustomerRecord {
  readonly billingCustomerId: string | null;
  readonly erpCustomerId: string | null;
  readonly currency: string | null;
  readonly recordedFrom: string;
}

export interface CustomerValues {
  billingCustomerId?: string;
  erpCustomerId?: string;
  currency?: string;
}

/**
 * Revline's view of the customer master. The system of record (mapping configuration) decides whose values win:
 * values from the master system overwrite; values from another system only fill what is still unknown.
 */
@Injectable()
export class CustomerMaster {
  constructor(private readonly dataSource: DataSource) {}

  async find(
    salesforceAccountId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<CustomerRecord | null> {
    const row = await manager.getRepository(CustomerEntity).findOneBy({ salesforceAccountId });
    return row
      ? {
          billingCustomerId: row.billingCustomerId,
          erpCustomerId: row.erpCustomerId,
          currency: row.currency,
          recordedFrom: row.recordedFrom,
        }
      : null;
  }

  /** Records what `from` says about a customer, given which system is the master. */
  async record(
    salesforceAccountId: string,
    values: CustomerValues,
    from: SystemName,
    master: SystemName,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<void> {
    const overwrite = from === master;
    const set = (column: string) =>
      overwrite
        ? `"${column}" = COALESCE(EXCLUDED."${column}", "customers"."${column}")`
        : `"${column}" = COALESCE("customers"."${column}", EXCLUDED."${column}")`;
    await manager.query(
      `INSERT INTO "q2c"."customers" ("salesforce_account_id", "billing_customer_id", "erp_customer_id", "currency", "recorded_from")
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT ("salesforce_account_id") DO UPDATE SET
         ${set('billing_customer_id')}, ${set('erp_customer_id')}, ${set('currency')},
         "recorded_from" = CASE WHEN $6 THEN EXCLUDED."recorded_from" ELSE "customers"."recorded_from" END,
         "updated_at" = now()`,
      [
        salesforceAccountId,
        values.billingCustomerId ?? null,
        values.erpCustomerId ?? null,
        values.currency ?? null,
        from,
        overwrite,
      ],
    );
  }
}
