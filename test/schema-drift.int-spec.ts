import { createTestDatabase } from '@revline/testing';
import { describe, expect, it } from 'vitest';
import { DATABASE as EXPERIENCE } from '../apps/experience-finance/src/database';
import { DATABASE as Q2C } from '../apps/process-q2c/src/database';
import { DATABASE as BILLING } from '../apps/system-billing/src/database';
import { DATABASE as ERP } from '../apps/system-erp/src/database';
import { DATABASE as SALESFORCE } from '../apps/system-salesforce/src/database';

/**
 * Entities and migrations agree: after every migration has run, TypeORM finds nothing to change in any app's
 * schema. A new column without its migration (or the reverse) fails here, not in production.
 */
describe.each([
  ['experience-finance', EXPERIENCE],
  ['process-q2c', Q2C],
  ['system-salesforce', SALESFORCE],
  ['system-billing', BILLING],
  ['system-erp', ERP],
])('%s schema', (_app, database) => {
  it('has migrations that match its entities', async () => {
    const db = await createTestDatabase(database);
    try {
      const pending = await db.dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});
