import { bearer, createTestApp, createTestDatabase, seedApiKey } from '@revline/testing';
import type { TestApp, TestDatabase } from '@revline/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP } from '../../apps/process-q2c/src/app.info';
import { AppModule } from '../../apps/process-q2c/src/app.module';
import { DATABASE } from '../../apps/process-q2c/src/database';
import { seedUsageContracts, usageEvent } from '../../bench/support/usage-fixtures';

/**
 * Late usage on a fiscal tenant: a period is closed to usage by its own days (4-4-5, the year from 2025-12-28:
 * FY2026-P01 runs 2025-12-28..2026-01-24, P02 2026-01-25..2026-02-21), not by the calendar month.
 */
describe('late usage on a 4-4-5 fiscal calendar', () => {
  let db: TestDatabase;
  let q2c: TestApp;
  let operator: string;
  let contracts: string[];

  const event = (i: number, occurredAt: string) => ({ ...usageEvent('fiscal', i, contracts), occurredAt });
  const post = (events: object[]) =>
    request(q2c.url)
      .post('/v1/usage')
      .set(bearer(operator))
      .send(events)
      .ok(() => true);

  beforeAll(async () => {
    db = await createTestDatabase(DATABASE);
    q2c = await createTestApp(AppModule, APP, {
      OUTBOX_RELAY: 'off',
      REVENUE_FISCAL_CALENDAR: '4-4-5',
      REVENUE_FISCAL_YEAR_START: '2025-12-28',
    });
    operator = await seedApiKey(db.dataSource, ['finance.operator']);
    contracts = await seedUsageContracts(db.dataSource, 'Fiscal', 2);
    await db.dataSource.query(
      `INSERT INTO "q2c"."revenue_runs" ("period", "sequence", "mode", "state", "requested_by", "correlation_id")
       VALUES ('FY2026-P01', 1, 'summary', 'posted', 'spec', 'spec-close')`,
    );
  });

  afterAll(async () => {
    await q2c.close();
    await db.drop();
  });

  it('refuses an event of a closed fiscal period, whatever its calendar month, and takes one of the next period', async () => {
    // 2026-01-20 is in P01 (closed); 2026-01-27 is in January too, but in P02 (open).
    const late = await post([event(1, '2026-01-20T09:00:00Z'), event(2, '2026-01-27T09:00:00Z')]);
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({
      type: 'https://docs.revline.dev/problems/usage-period-closed',
      errors: [
        {
          field: 'rows[0].occurredAt',
          problem: 'falls in FY2026-P01, a period whose revenue run has posted',
        },
      ],
    });
    const open = await post([event(2, '2026-01-27T09:00:00Z'), event(3, '2025-12-27T23:00:00Z')]);
    expect(open.status).toBe(200);
    expect(open.body).toMatchObject({ staged: 2, rejected: 0 });
  });
});
