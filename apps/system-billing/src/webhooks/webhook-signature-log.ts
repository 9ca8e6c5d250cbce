import { Injectable, Logger } from '@nestjs/common';
import { RedisConnections } from '@revline/messaging';
import type { SignatureProblem } from './webhook-signature';

const VERIFIED_WRITE_EVERY_MS = 5_000;

/** What the webhook route has seen of Stripe's signatures, across every instance sharing the Redis prefix. */
export interface SignatureRecord {
  lastVerifiedAt?: string;
  lastRefusedAt?: string;
  lastRefusedProblem?: SignatureProblem;
  /** Deliveries refused for their signature since the last one that verified. */
  refusedSinceVerified: number;
}

/**
 * Stripe never returns a registered endpoint's signing secret, so whether STRIPE_WEBHOOK_SECRETS holds it shows
 * only in the deliveries: this keeps the outcome of the last ones for the preflight. A delivery that matched no
 * secret, or came outside the tolerance, counts as refused; one without a Stripe-Signature header at all is not
 * Stripe's and is not counted. Keeping the record never stands in the way of taking a webhook in, and costs a
 * verified delivery a Redis write only every few seconds per instance (at once after a refusal).
 */
@Injectable()
export class WebhookSignatureLog {
  private readonly logger = new Logger(WebhookSignatureLog.name);
  private lastVerifiedWrite = Number.NEGATIVE_INFINITY;

  constructor(private readonly redis: RedisConnections) {}

  private get key(): string {
    return `${this.redis.prefix}:{stripe-webhooks}:signatures`;
  }

  async verified(): Promise<void> {
    const now = performance.now();
    if (now - this.lastVerifiedWrite < VERIFIED_WRITE_EVERY_MS) return;
    this.lastVerifiedWrite = now;
    await this.write((r) =>
      r.hset(this.key, { lastVerifiedAt: new Date().toISOString(), refusedSinceVerified: 0 }),
    );
  }

  async refused(problem: SignatureProblem): Promise<void> {
    if (problem !== 'no_matching_signature' && problem !== 'stale_timestamp') return;
    this.lastVerifiedWrite = Number.NEGATIVE_INFINITY;
    await this.write((r) =>
      r
        .multi()
        .hset(this.key, { lastRefusedAt: new Date().toISOString(), lastRefusedProblem: problem })
        .hincrby(this.key, 'refusedSinceVerified', 1)
        .exec(),
    );
  }

  async read(): Promise<SignatureRecord> {
    const connection = await this.redis.producer();
    const fields = await connection.hgetall(this.key);
    return {
      ...(fields.lastVerifiedAt ? { lastVerifiedAt: fields.lastVerifiedAt } : {}),
      ...(fields.lastRefusedAt ? { lastRefusedAt: fields.lastRefusedAt } : {}),
      ...(fields.lastRefusedProblem
        ? { lastRefusedProblem: fields.lastRefusedProblem as SignatureProblem }
        : {}),
      refusedSinceVerified: Number(fields.refusedSinceVerified || 0),
    };
  }

  private async write(
    command: (connection: Awaited<ReturnType<RedisConnections['producer']>>) => Promise<unknown>,
  ) {
    try {
      await command(await this.redis.producer());
    } catch (error) {
      this.logger.warn(`Could not record a webhook signature outcome: ${(error as Error).message}`);
    }
  }
}
