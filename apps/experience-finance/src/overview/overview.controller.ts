import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@revline/auth';
import { ProcessQ2cClient } from '../process-q2c/process-q2c.client';
import { CHECKPOINTS } from '../reconciliation/reconciliation.dto';
import { ApiCommonProblems } from '../shared/problem-docs';
import { financeSla } from '../sla/sla.controller';
import type {
  ExceptionCategoryCountDto,
  LastRunDto,
  PeriodReadinessDto,
  SyncHealthDto,
} from './overview.dto';
import { OverviewDto, OverviewQuery } from './overview.dto';

interface RunPage {
  items: Array<{
    runId: string;
    scope: string;
    status: string;
    startedAt: string;
    contractId: string | null;
    customerId: string | null;
    checkpoints: Array<{ checkpoint: string; opened: number; stillOpen: number }>;
  }>;
  nextCursor: string | null;
}

/** Run pages read, at most, looking for each checkpoint's latest whole-book run. */
const RUN_PAGES = 5;

/** The month of a day (UTC) as YYYY-MM, and the month before it. */
export function currentAndPreviousPeriod(now: Date): [string, string] {
  const month = (year: number, index: number): string =>
    new Date(Date.UTC(year, index, 1)).toISOString().slice(0, 7);
  return [month(now.getUTCFullYear(), now.getUTCMonth()), month(now.getUTCFullYear(), now.getUTCMonth() - 1)];
}

@ApiTags('overview')
@Roles('finance.viewer')
@Controller('v1/overview')
export class OverviewController {
  constructor(private readonly q2c: ProcessQ2cClient) {}

  @Get()
  @ApiOperation({
    summary:
      'The finance overview: sync health, exceptions by category and age, SLA, last runs, close readiness',
    description:
      "Every count is the size of a list the console links it to: `syncHealth` → GET /v1/contracts?status=in_flight|parked|failed; `exceptionsByCategory[].open` → GET /v1/exceptions?status=open&category=; its `ageBuckets` add the list's age filters (`lt1h` maxAgeMinutes=60, `lt24h` minAgeMinutes=60&maxAgeMinutes=1440, `lt7d` minAgeMinutes=1440&maxAgeMinutes=10080, `gte7d` minAgeMinutes=10080); `lastRuns[].breaks` → GET /v1/reconciliation-runs/{runId}/breaks?checkpoint=. `sla` is the GET /v1/sla body from the first of the month to `at`; `readiness` the GET /v1/close/{period}/readiness of the month of `at` and of the month before. `at` (YYYY-MM-DD, UTC) is today unless given. Role finance.viewer.",
  })
  @ApiOkResponse({ type: OverviewDto })
  @ApiCommonProblems('finance.viewer', '/v1/overview')
  async getOverview(@Query() query: OverviewQuery): Promise<OverviewDto> {
    const day = query.at ?? new Date().toISOString().slice(0, 10);
    const periods = currentAndPreviousPeriod(new Date(`${day}T00:00:00Z`));
    const [counts, sla, lastRuns, ...readiness] = await Promise.all([
      this.q2c.get<{ syncHealth: SyncHealthDto; exceptionsByCategory: ExceptionCategoryCountDto[] }>(
        '/v1/overview/counts',
      ),
      financeSla(this.q2c, { from: `${periods[0]}-01`, to: day }),
      this.lastRuns(),
      ...periods.map((period) => this.readiness(period)),
    ]);
    return { ...counts, sla, lastRuns, readiness };
  }

  private async readiness(period: string): Promise<PeriodReadinessDto> {
    const body = await this.q2c.get<PeriodReadinessDto>(`/v1/close/${period}/readiness`);
    return { period: body.period, ready: body.ready, reasons: body.reasons };
  }

  /** Each checkpoint's latest whole-book run (newest first, so the first found is the latest). */
  private async lastRuns(): Promise<LastRunDto[]> {
    const found = new Map<string, LastRunDto>();
    let cursor: string | undefined;
    for (let page = 0; page < RUN_PAGES && found.size < CHECKPOINTS.length; page += 1) {
      const runs = await this.q2c.get<RunPage>('/v1/reconciliation-runs', { limit: 100, cursor });
      for (const run of runs.items) {
        if (run.contractId !== null || run.customerId !== null) continue;
        const covered = run.scope === 'all' ? CHECKPOINTS : CHECKPOINTS.filter((c) => c === run.scope);
        for (const checkpoint of covered) {
          if (found.has(checkpoint)) continue;
          const result = run.checkpoints.find((c) => c.checkpoint === checkpoint);
          found.set(checkpoint, {
            checkpoint,
            runId: run.runId,
            status: run.status,
            startedAt: run.startedAt,
            breaks: result && run.status !== 'running' ? result.opened + result.stillOpen : null,
          });
        }
      }
      if (runs.nextCursor === null) break;
      cursor = runs.nextCursor;
    }
    return CHECKPOINTS.flatMap((checkpoint) => found.get(checkpoint) ?? []);
  }
}
