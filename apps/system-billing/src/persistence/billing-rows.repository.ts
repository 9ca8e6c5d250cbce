import { Injectable } from '@nestjs/common';
import { prepared } from '@revline/persistence';
import { DataSource } from 'typeorm';

/** A contract's billing objects as stored. */
export interface ContractLinkRow {
  contractId: string;
  customerId: string;
  subscriptionId: string;
  scheduleId: string | null;
}

/**
 * The statements a billing command runs on every booking, written out: the request ledger's rows and the contract
 * link read. Each is one short statement whose query builder would cost more CPU than the statement itself, run as
 * a named prepared statement (parsed and planned once per connection).
 */
@Injectable()
export class BillingRowsRepository {
  constructor(private readonly dataSource: DataSource) {}

  private table(name: string): string {
    return `"${this.dataSource.driver.schema ?? 'billing'}"."${name}"`;
  }

  /** Records a planned request unless its key has one: answers the parameters as stored, or null if it had. */
  async insertPlan<P extends object>(key: string, operation: string, params: P): Promise<P | null> {
    const { rows } = await prepared<{ params: P }>(
      this.dataSource,
      `INSERT INTO ${this.table('stripe_requests')} ("idempotency_key", "operation", "params")
       VALUES ($1, $2, $3::jsonb) ON CONFLICT DO NOTHING RETURNING "params"`,
      [key, operation, JSON.stringify(params)],
    );
    return rows.at(0)?.params ?? null;
  }

  async plan(key: string): Promise<{ params: object; response: object | null } | null> {
    const { rows } = await prepared<{ params: object; response: object | null }>(
      this.dataSource,
      `SELECT "params", "response" FROM ${this.table('stripe_requests')} WHERE "idempotency_key" = $1`,
      [key],
    );
    return rows.at(0) ?? null;
  }

  async complete(key: string, response: object): Promise<void> {
    await prepared(
      this.dataSource,
      `UPDATE ${this.table('stripe_requests')} SET "response" = $2::jsonb, "completed_at" = now()
       WHERE "idempotency_key" = $1`,
      [key, JSON.stringify(response)],
    );
  }

  /** Drops a plan that was never answered. */
  async forget(key: string): Promise<void> {
    await prepared(
      this.dataSource,
      `DELETE FROM ${this.table('stripe_requests')} WHERE "idempotency_key" = $1 AND "response" IS NULL`,
      [key],
    );
  }

  async link(contractId: string): Promise<ContractLinkRow | null> {
    const { rows } = await prepared<ContractLinkRow>(
      this.dataSource,
      `SELECT "contract_id" AS "contractId", "customer_id" AS "customerId", "subscription_id" AS "subscriptionId",
              "schedule_id" AS "scheduleId"
         FROM ${this.table('contract_links')} WHERE "contract_id" = $1`,
      [contractId],
    );
    return rows.at(0) ?? null;
  }
}
