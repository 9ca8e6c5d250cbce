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

/** Answers (idempotency key, response) as the two text arrays the answers' UPDATE unnests. */
function answerColumns(completions: ReadonlyArray<readonly [string, object]>): [string[], string[]] {
  return [completions.map(([k]) => k), completions.map(([, response]) => JSON.stringify(response))];
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

  /** The statement keeping answers, their keys and responses in parameters `$k` and `$k+1`. */
  private answersUpdate(k: number): string {
    return `UPDATE ${this.table('stripe_requests')} r SET "response" = c."response"::jsonb, "completed_at" = now()
         FROM unnest($${String(k)}::text[], $${String(k + 1)}::text[]) AS c("key", "response")
        WHERE r."idempotency_key" = c."key"`;
  }

  /**
   * Writes a request's plan unless one is there (null then), and in the same statement the answers `completions`
   * holds (idempotency key, response) of requests planned before.
   */
  async insertPlan<P extends object>(
    key: string,
    operation: string,
    params: P,
    completions: ReadonlyArray<readonly [string, object]> = [],
  ): Promise<P | null> {
    const { rows } = await prepared<{ params: P }>(
      this.dataSource,
      `WITH "answered" AS (${this.answersUpdate(4)})
       INSERT INTO ${this.table('stripe_requests')} ("idempotency_key", "operation", "params")
       VALUES ($1, $2, $3::jsonb) ON CONFLICT DO NOTHING RETURNING "params"`,
      [key, operation, JSON.stringify(params), ...answerColumns(completions)],
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

  /** Keeps the answers (idempotency key, response) of requests planned before. */
  async complete(completions: ReadonlyArray<readonly [string, object]>): Promise<void> {
    await prepared(this.dataSource, this.answersUpdate(1), answerColumns(completions));
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
