import { Injectable } from '@nestjs/common';
import { prepared } from '@revline/persistence';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { SystemName } from '../mappings/mapping-definition';

/** What Revline holds for a customer (see CustomerMaster), compared with what the order says. */
export type CustomerRecord = {
  readonly billingCustomerId: string | null;
  readonly erpCustomerId: string | null;
  readonly currency: string | null;
  readonly recordedFrom: string;
};

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
    const { rows } = await prepared<CustomerRecord>(
      manager,
      `SELECT "billing_customer_id" AS "billingCustomerId", "erp_customer_id" AS "erpCustomerId", "currency",
              "recorded_from" AS "recordedFrom"
         FROM "q2c"."customers" WHERE "salesforce_account_id" = $1`,
      [salesforceAccountId],
    );
    return rows[0] ?? null;
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
    // $6: the master's values overwrite; another system's only fill what is still unknown.
    await prepared(
      manager,
      `INSERT INTO "q2c"."customers" ("salesforce_account_id", "billing_customer_id", "erp_customer_id", "currency", "recorded_from")
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT ("salesforce_account_id") DO UPDATE SET
         "billing_customer_id" = CASE WHEN $6 THEN COALESCE(EXCLUDED."billing_customer_id", "customers"."billing_customer_id")
           ELSE COALESCE("customers"."billing_customer_id", EXCLUDED."billing_customer_id") END,
         "erp_customer_id" = CASE WHEN $6 THEN COALESCE(EXCLUDED."erp_customer_id", "customers"."erp_customer_id")
           ELSE COALESCE("customers"."erp_customer_id", EXCLUDED."erp_customer_id") END,
         "currency" = CASE WHEN $6 THEN COALESCE(EXCLUDED."currency", "customers"."currency")
           ELSE COALESCE("customers"."currency", EXCLUDED."currency") END,
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
