import { createTestDatabase } from '@revline/testing';
import type { TestDatabase } from '@revline/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE } from '../database';
import { UsageDays1764400002000 } from './usage-days.migration';

describe('UsageDays migration: the day sums of the usage stored before it', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('sums each contract, customer, product and UTC day of the stored events', async () => {
    const runner = db.dataSource.createQueryRunner();
    try {
      const migration = new UsageDays1764400002000();
      await migration.down(runner);
      await runner.query(
        `INSERT INTO "q2c"."usage_events" ("identifier", "contract_id", "customer_id", "product_code", "quantity",
           "occurred_at", "command_key")
         VALUES ('e1', '801A', 'cus_1', 'API', 1.5, '2026-03-10T00:00:00Z', 'k'),
                ('e2', '801A', 'cus_1', 'API', 2.25, '2026-03-10T23:59:59.999Z', 'k'),
                ('e3', '801A', 'cus_1', 'API', 4, '2026-03-11T00:00:00Z', 'k'),
                ('e4', '801B', 'cus_1', 'API', 8, '2026-03-10T12:00:00+14:00', 'k')`,
      );
      await migration.up(runner);
      const days = (await runner.query(
        `SELECT "contract_id", "customer_id", "product_code", "day"::text, "quantity"::text, "events"
           FROM "q2c"."usage_days" ORDER BY 1, 4`,
      )) as Array<Record<string, unknown>>;
      expect(days).toEqual([
        {
          contract_id: '801A',
          customer_id: 'cus_1',
          product_code: 'API',
          day: '2026-03-10',
          quantity: '3.75',
          events: 2,
        },
        {
          contract_id: '801A',
          customer_id: 'cus_1',
          product_code: 'API',
          day: '2026-03-11',
          quantity: '4',
          events: 1,
        },
        // 12:00 at UTC+14 is 22:00 the day before in UTC.
        {
          contract_id: '801B',
          customer_id: 'cus_1',
          product_code: 'API',
          day: '2026-03-09',
          quantity: '8',
          events: 1,
        },
      ]);
    } finally {
      await runner.release();
    }
  });
});
