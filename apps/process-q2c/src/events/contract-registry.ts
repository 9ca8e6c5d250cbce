import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ContractState } from './contract-state';
import { ContractEntity, ContractRefEntity } from './contract.entity';

function toState(row: ContractEntity): ContractState {
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

/** The contracts Revline has booked, as their events left them, and the Salesforce contract ids that name them. */
@Injectable()
export class ContractRegistry {
  /** The contract a Salesforce contract id stands for, locked for the caller's transaction. */
  async findBySalesforceContract(
    manager: EntityManager,
    salesforceContractId: string,
  ): Promise<ContractState | null> {
    const ref = await manager.getRepository(ContractRefEntity).findOneBy({ salesforceContractId });
    return ref ? this.get(manager, ref.contractId) : null;
  }

  async get(manager: EntityManager, contractId: string): Promise<ContractState | null> {
    const row = await manager
      .getRepository(ContractEntity)
      .createQueryBuilder('c')
      .where('c.contract_id = :contractId', { contractId })
      .setLock('pessimistic_write')
      .getOne();
    return row ? toState(row) : null;
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

  async save(manager: EntityManager, state: ContractState, lastEventId: string): Promise<void> {
    await manager.getRepository(ContractEntity).save({ ...state, lines: [...state.lines], lastEventId });
  }

  /** Records that a Salesforce contract id names a contract; true when the link is new. */
  async link(manager: EntityManager, salesforceContractId: string, contractId: string): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `INSERT INTO "q2c"."contract_refs" ("salesforce_contract_id", "contract_id") VALUES ($1, $2)
       ON CONFLICT DO NOTHING RETURNING "contract_id"`,
      [salesforceContractId, contractId],
    );
    return rows.length > 0;
  }

  async isLinked(manager: EntityManager, salesforceContractId: string): Promise<boolean> {
    const rows = await manager.query<unknown[]>(
      `SELECT 1 FROM "q2c"."contract_refs" WHERE "salesforce_contract_id" = $1`,
      [salesforceContractId],
    );
    return rows.length > 0;
  }
}
