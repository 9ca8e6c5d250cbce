import { Injectable } from '@nestjs/common';
import { BillingRowsRepository } from '../persistence/billing-rows.repository';

/**
 * Fixes a command step's Stripe request the first time it is planned (the parameters are computed each time, but
 * only the first plan written is ever sent). A retry, a concurrent duplicate or a rerun
 * after a timeout reads the same parameters back, so Stripe sees one request under one Idempotency-Key and
 * replays its first answer; once an answer is kept, Stripe is not asked again at all.
 */
@Injectable()
export class RequestLedger {
  constructor(private readonly rows: BillingRowsRepository) {}

  async plan<P extends object>(
    key: string,
    operation: string,
    compute: () => Promise<P>,
  ): Promise<{ params: P; response: object | null }> {
    const params = await compute();
    // The parameters as stored (jsonb orders keys its own way), so every attempt sends the very same request.
    const planned = await this.rows.insertPlan(key, operation, params);
    if (planned) return { params: planned, response: null };
    // Planned before (a retry, a duplicate, a rerun): the first plan is the one sent.
    const row = await this.rows.plan(key);
    if (!row) throw new Error(`The Stripe request ${key} was planned but its row is gone`);
    return { params: row.params as P, response: row.response };
  }

  async complete(key: string, response: object): Promise<void> {
    await this.rows.complete(key, response);
  }

  /**
   * Drops a plan that was never answered, so the next attempt plans again from fresh data (a request the vendor
   * refused for its parameters: once they are fixed at the source, the same plan would only be refused again).
   */
  async forget(key: string): Promise<void> {
    await this.rows.forget(key);
  }

  /** Plans, sends once, keeps the answer: the whole step as one idempotent call. */
  async once<P extends object, R extends object>(
    key: string,
    operation: string,
    compute: () => Promise<P>,
    send: (params: P, idempotencyKey: string) => Promise<R>,
  ): Promise<R> {
    const { params, response } = await this.plan(key, operation, compute);
    if (response) return response as R;
    const answer = await send(params, key);
    await this.complete(key, answer);
    return answer;
  }
}
