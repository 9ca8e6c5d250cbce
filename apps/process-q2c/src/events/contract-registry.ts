import { Injectable } from '@nestjs/common';
import { prepared } from '@revline/persistence';
import type { EntityManager } from 'typeorm';
import type { ContractLineState, ContractState } from './contract-state';
import { ContractEntity } from './contract.entity';

/** A contract's state from its row (an entity, or a raw read's row with its dates as text). */
function toState(row: ContractEntity | ContractRow): ContractState {
  return {
    contractId: row.contractId,
    salesforceAccountId: row.salesforceAccountId,
    currency: row.currency,
    termStart: row.termStart,
    termEnd: row.termEnd,
    status: row.status,
    lines: row.lines,
  };
}

/** A contract row as the raw reads below select it: its dates as calendar-date text, as TypeORM reads them. */
type ContractRow = {
  contractId: string;
  salesforceAccountId: string;
  currency: string;
  termStart: string;
  termEnd: string;
  status: 'active' | 'cancelled';
  lines: ContractLineState[];
};

const STATE_COLUMNS = `"c"."contract_id" AS "contractId", "c"."salesforce_account_id" AS "salesforceAccountId",
  "c"."currency", to_char("c"."term_start", 'YYYY-MM-DD') AS "termStart",
  to_char("c"."term_end", 'YYYY-MM-DD') AS "termEnd", "c"."status", "c"."lines"`;

/** The contracts Revline has booked, as their events left them, and the Salesforce contract ids that name them. */
@Injectable()
export class ContractRegistry {
  /** The contract a Salesforce contract id stands for, locked for the caller's transaction. */
  async findBySalesforceContract(
    manager: EntityManager,
    salesforceContractId: string,
  ): Promise<ContractState | null> {
    // One statement for the link and the locked row: a concurrent change of the row is waited for and read after.
    const { rows } = await prepared<ContractRow>(
      manager,
      `SELECT ${STATE_COLUMNS}
         FROM "q2c"."contract_refs" "r" JOIN "q2c"."contracts" "c" ON "c"."contract_id" = "r"."contract_id"
        WHERE "r"."salesforce_contract_id" = $1
          FOR UPDATE OF "c"`,
      [salesforceContractId],
    );
    return rows[0] ? toState(rows[0]) : null;
  }

  /** The contract, locked for the caller's transaction. */
  async get(manager: EntityManager, contractId: string): Promise<ContractState | null> {
    const { rows } = await prepared<ContractRow>(
      manager,
      `SELECT ${STATE_COLUMNS} FROM "q2c"."contracts" "c" WHERE "c"."contract_id" = $1 FOR UPDATE`,
      [contractId],
    );
    return rows[0] ? toState(rows[0]) : null;
  }

  /** Without a lock, for read-only checks (the validation route). */
  async peekBySalesforceContract(
    manager: EntityManager,
    salesforceContractId: string,
  ): Promise<ContractState | null> {
    const rows = await manager.query<Array<{ contract_id: string }>>(
      `SELECT "contract_id" FROM "q2c"."contract_refs" WHERE "salesforce_contract_id" = $1`,
      [salesforceContractId],
    );
    const contractId = rows[0]?.contract_id;
    if (!contractId) return null;
    const row = await manager.getRepository(ContractEntity).findOneBy({ contractId });
    return row ? toState(row) : null;
  }

  /** The contract as its latest event left it: inserted for a booking, overwritten (with updated_at) after. */
  /** Stores a contract's state; true when the contract is new (its row inserted, not updated). */
  async save(manager: EntityManager, state: ContractState, lastEventId: string): Promise<boolean> {
    const { rows } = await prepared<{ created: boolean }>(
      manager,
      `INSERT INTO "q2c"."contracts"
         ("contract_id", "salesforce_account_id", "currency", "term_start", "term_end", "status", "lines", "last_event_id")
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)
       ON CONFLICT ("contract_id") DO UPDATE SET
         "salesforce_account_id" = EXCLUDED."salesforce_account_id", "currency" = EXCLUDED."currency",
         "term_start" = EXCLUDED."term_start", "term_end" = EXCLUDED."term_end", "status" = EXCLUDED."status",
         "lines" = EXCLUDED."lines", "last_event_id" = EXCLUDED."last_event_id", "updated_at" = now()
       RETURNING ("xmax" = 0) AS "created"`,
      [
        state.contractId,
        state.salesforceAccountId,
        state.currency,
        state.termStart,
        state.termEnd,
        state.status,
        JSON.stringify(state.lines),
        lastEventId,
      ],
    );
    return rows[0]?.created ?? false;
  }

  /** Records that a Salesforce contract id names a contract; true when the link is new. */
  async link(manager: EntityManager, salesforceContractId: string, contractId: string): Promise<boolean> {
    const { rowCount } = await prepared(
      manager,
      `INSERT INTO "q2c"."contract_refs" ("salesforce_contract_id", "contract_id") VALUES ($1, $2)
       ON CONFLICT DO NOTHING RETURNING "contract_id"`,
      [salesforceContractId, contractId],
    );
    return (rowCount ?? 0) > 0;
  }

  async isLinked(manager: EntityManager, salesforceContractId: string): Promise<boolean> {
    const { rowCount } = await prepared(
      manager,
      `SELECT 1 FROM "q2c"."contract_refs" WHERE "salesforce_contract_id" = $1`,
      [salesforceContractId],
    );
    return (rowCount ?? 0) > 0;
  }
}
