import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { StripeRequestEntity } from '../persistence/entities';

/**
 * Fixes a command step's Stripe request the first time it is planned (the parameters are computed each time, but
 * only the first plan written is ever sent). A retry, a concurrent duplicate or a rerun
 * after a timeout reads the same parameters back, so Stripe sees one request under one Idempotency-Key and
 * replays its first answer; once an answer is kept, Stripe is not asked again at all.
 */
@Injectable()
export class RequestLedger {
  constructor(private readonly dataSource: DataSource) {}

  async plan<P extends object>(
    key: string,
    operation: string,
    compute: () => Promise<P>,
  ): Promise<{ params: P; response: object | null }> {
    const repo = this.dataSource.getRepository(StripeRequestEntity);
    const params = await compute();
    const inserted = await repo
      .createQueryBuilder()
      .insert()
      .values({ idempotencyKey: key, operation, params })
      .orIgnore()
      .returning(['params'])
      .execute();
    // The parameters as stored (jsonb orders keys its own way), so every attempt sends the very same request.
    const planned = (inserted.raw as Array<{ params: P }>).at(0);
    if (planned) return { params: planned.params, response: null };
    // Planned before (a retry, a duplicate, a rerun): the first plan is the one sent.
    const row = await repo.findOneByOrFail({ idempotencyKey: key });
    return { params: row.params as P, response: row.response };
  }

  async complete(key: string, response: object): Promise<void> {
    await this.dataSource
      .getRepository(StripeRequestEntity)
      .update({ idempotencyKey: key }, { response, completedAt: () => 'now()' });
  }

  /**
   * Drops a plan that was never answered, so the next attempt plans again from fresh data (a request the vendor
   * refused for its parameters: once they are fixed at the source, the same plan would only be refused again).
   */
  async forget(key: string): Promise<void> {
    await this.dataSource
      .getRepository(StripeRequestEntity)
      .createQueryBuilder()
      .delete()
      .where('"idempotency_key" = :key AND "response" IS NULL', { key })
      .execute();
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
