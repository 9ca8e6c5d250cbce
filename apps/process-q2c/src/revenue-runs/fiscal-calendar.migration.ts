import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The fiscal calendar each stored schedule and each usage revenue row was computed on (REVENUE_FISCAL_CALENDAR):
 * its periods are that calendar's (`YYYY-MM` months, or `FY2026-P01` fiscal periods), and period close refuses to
 * mix them. Rows stored before were computed on calendar months.
 */
export class FiscalCalendars1764400000950 implements MigrationInterface {
  name = 'FiscalCalendars1764400000950';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['revenue_schedules', 'usage_revenue'])
      await q.query(
        `ALTER TABLE "q2c"."${table}" ADD "fiscal_calendar" text NOT NULL DEFAULT 'calendar',
           ADD CONSTRAINT "CHK_${table}_fiscal_calendar"
             CHECK ("fiscal_calendar" IN ('calendar', '4-4-5', '4-5-4', '5-4-4', '13-period'))`,
      );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['usage_revenue', 'revenue_schedules'])
      await q.query(`ALTER TABLE "q2c"."${table}" DROP COLUMN "fiscal_calendar"`);
  }
}
