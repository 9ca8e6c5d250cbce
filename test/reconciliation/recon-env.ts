import { bearer, eventually, seedApiKey } from '@revline/testing';
import request from 'supertest';
import type { Q2cEnv } from '../q2c/q2c-env';

export interface RunView {
  runId: string;
  scope: string;
  period: string;
  status: string;
  error: string | null;
  contractId: string | null;
  customerId: string | null;
  checkpoints: Array<{
    checkpoint: string;
    compared: number;
    opened: number;
    stillOpen: number;
    closed: number;
  }>;
}

export interface BreakView {
  breakId: string;
  checkpoint: string;
  category: string;
  contractId: string | null;
  objectType: string;
  objectId: string;
  field: string | null;
  expected: string | null;
  actual: string | null;
  difference: string | null;
  correlationId: string | null;
  firstRunId: string;
  lastRunId: string;
  status: string;
  closedByRunId: string | null;
  period: string | null;
  customerId: string | null;
  currency: string | null;
  unit: string;
  sides: { expected: BreakSide; actual: BreakSide };
  changedSide: string | null;
  money: { expected: MoneyView | null; actual: MoneyView | null; difference: MoneyView | null } | null;
  quantity: { expected: string | null; actual: string | null; difference: string | null } | null;
}

export interface BreakSide {
  system: string;
  recordId: string | null;
}

export interface MoneyView {
  amountMinor: string;
  currency: string;
  display: string;
}

/** Keys and helpers for driving reconciliation runs through process-q2c's API. */
export async function reconciliation(env: Q2cEnv) {
  const operator = await seedApiKey(env.db.dataSource, ['finance.operator']);
  const viewer = await seedApiKey(env.db.dataSource, ['finance.viewer']);
  const run = async (body: {
    scope?: string;
    period?: string;
    contractId?: string;
    customerId?: string;
  }): Promise<RunView> => {
    const started = await request(env.q2c.url)
      .post('/v1/reconciliation-runs')
      .set(bearer(operator))
      .send(body)
      .expect(202);
    const runId = (started.body as RunView).runId;
    const finished = await eventually(async () => {
      const res = await request(env.q2c.url)
        .get(`/v1/reconciliation-runs/${runId}`)
        .set(bearer(viewer))
        .expect(200);
      const view = res.body as RunView;
      return view.status === 'running' ? undefined : view;
    }, 60_000);
    if (!finished) throw new Error(`run ${runId} did not finish`);
    return finished;
  };
  const breaks = async (runId: string, query: Record<string, string> = {}): Promise<BreakView[]> => {
    const res = await request(env.q2c.url)
      .get(`/v1/reconciliation-runs/${runId}/breaks`)
      .query({ limit: '500', ...query })
      .set(bearer(viewer))
      .expect(200);
    return (res.body as { items: BreakView[] }).items;
  };
  /** The breaks open now (GET /v1/reconciliation-breaks), every page of `limit`. */
  const openNow = async (query: Record<string, string> = {}, limit = 500): Promise<BreakView[]> => {
    const all: BreakView[] = [];
    let cursor: string | null = null;
    do {
      const res = await request(env.q2c.url)
        .get('/v1/reconciliation-breaks')
        .query({ ...query, limit: String(limit), ...(cursor ? { cursor } : {}) })
        .set(bearer(viewer))
        .expect(200);
      const page = res.body as { items: BreakView[]; nextCursor: string | null };
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  };
  return { operator, viewer, run, breaks, openNow };
}
