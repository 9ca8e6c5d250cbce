import type { RevenueRunListDto, StartRevenueRunResultDto } from '@revline/finance-api';
import { bearer } from '@revline/testing';
import request from 'supertest';
import { expect } from 'vitest';
import type { Q2cEnv } from './q2c-env';

/** Who asks: the stack and the API keys of an operator (starts runs) and a viewer (lists them), set up in beforeAll. */
export interface RevenueRunsCaller {
  env: Q2cEnv;
  operator: string;
  viewer: string;
}

/** process-q2c's revenue-run routes as a spec drives them: `caller` is read at each call. */
export function revenueRunsClient(caller: () => RevenueRunsCaller) {
  const start = (period: string, expected = 200) =>
    request(caller().env.q2c.url)
      .post(`/v1/close/${period}/revenue-runs`)
      .set(bearer(caller().operator))
      .send({})
      .expect(expected);
  const runsOf = async (period: string): Promise<RevenueRunListDto['items']> =>
    (
      (
        await request(caller().env.q2c.url)
          .get(`/v1/close/${period}/revenue-runs`)
          .set(bearer(caller().viewer))
          .expect(200)
      ).body as RevenueRunListDto
    ).items;
  /** Starts a run of the period and waits until the ERP has posted its journals. */
  const close = async (period: string): Promise<StartRevenueRunResultDto> => {
    const run = (await start(period)).body as StartRevenueRunResultDto;
    await caller().env.settle();
    const done = (await runsOf(period)).find((r) => r.runId === run.runId);
    if (!done) throw new Error(`run ${run.runId} not listed`);
    expect(done.state).toBe('posted');
    return Object.assign(done, { resumed: run.resumed });
  };
  const revenueOf = (run: StartRevenueRunResultDto): bigint =>
    run.journals.reduce((s, j) => s + BigInt(j.debitMinor), 0n);
  return { start, runsOf, close, revenueOf };
}
