import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The unfinished sagas by contract: what the contracts list's lifecycle filters (`status=failed`, and the failed
 * check of the others) read, without walking every completed saga of the book (figures in the README's Benchmarks).
 */
export class ContractListIndexes1764400001410 implements MigrationInterface {
  name = 'ContractListIndexes1764400001410';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX "sagas_unfinished" ON "q2c"."sagas" ("contract_id") WHERE "status" <> 'completed'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "q2c"."sagas_unfinished"`);
  }
}

/**
 * The captures refused for a contract: the contracts list asks it of every contract on a page (its `parked` count and
 * filter), by the contract id the exception's details name.
 */
export class RefusedCaptureIndex1764400001800 implements MigrationInterface {
  name = 'RefusedCaptureIndex1764400001800';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX "exceptions_refused_capture" ON "q2c"."exceptions" (("details"->>'contractId'))
        WHERE "job" = 'crm.record-changed' AND "status" <> 'resolved'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "q2c"."exceptions_refused_capture"`);
  }
}
