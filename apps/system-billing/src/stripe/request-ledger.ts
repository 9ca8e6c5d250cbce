import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { StripeRequestEntity } from '../persistence/entities';

/**
 * Fixes a command step's Stripe request the first time it is planned. A retry, a concurrent duplicate or a rerun
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
    const existing = await repo.findOneBy({ idempotencyKey: key });
    if (existing) return { params: existing.params as P, response: existing.response };
    const params = await compute();
    await repo
      .createQueryBuilder()
      .insert()
      .values({ idempotencyKey: key, operation, params })
      .orIgnore()
      .execute();
    const row = await repo.findOneByOrFail({ idempotencyKey: key });
    return { params: row.params as P, response: row.response };
  }

  async complete(key: string, response: object): Promise<void> {
    await this.dataSource
      .getRepository(StripeRequestEntity)
      .update({ idempotencyKey: key }, { response, completedAt: () => 'now()' });
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
