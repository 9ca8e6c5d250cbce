import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each captured record's identity beside its content, so a known id carrying another record is caught. */
export class SalesforceCapturedIdentity1796500000000 implements MigrationInterface {
  name = 'SalesforceCapturedIdentity1796500000000';

  async up(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema ?? 'salesforce'}"`;
    await q.query(`ALTER TABLE ${s}."captured_record" ADD "identity_hash" text`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = `"${q.connection.driver.schema ?? 'salesforce'}"`;
    await q.query(`ALTER TABLE ${s}."captured_record" DROP COLUMN "identity_hash"`);
  }
}
