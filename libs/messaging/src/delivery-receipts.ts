import { Injectable, Logger } from '@nestjs/common';
import type { Envelope } from './envelope';
import { RedisConnections } from './redis-connections';

/** Receipts kept in the stream: a relay that falls further behind than this loses some, and re-drives those. */
const RECEIPTS_KEPT = 100_000;

/**
 * The consumers' confirmations that they applied a message: a Redis stream every producer's relay reads, since the
 * apps keep their outboxes in schemas of their own. A receipt names the message id only; a relay marks the rows
 * of its own outbox it finds and ignores the rest. A receipt lost (Redis away, the stream trimmed, Redis restarted
 * without it) costs a re-drive the consumer's inbox drops, never a message.
 */
@Injectable()
export class DeliveryReceipts {
  private readonly logger = new Logger(DeliveryReceipts.name);
  /** The last receipt this process has read: a new process reads the stream from its start. */
  private lastId = '0';

  constructor(private readonly connections: RedisConnections) {}

  get key(): string {
    return `${this.connections.prefix}:outbox-receipts`;
  }

  /** Confirms a message applied (or parked as an exception); a failure is logged, the re-drive covers it. */
  async confirm(envelope: Pick<Envelope, 'messageId'>): Promise<void> {
    try {
      const redis = await this.connections.producer();
      await redis.xadd(this.key, 'MAXLEN', '~', String(RECEIPTS_KEPT), '*', 'm', envelope.messageId);
    } catch (error) {
      this.logger.warn(`Receipt of ${envelope.messageId} not sent: ${(error as Error).message}`);
    }
  }

  /** The message ids of up to `count` receipts after the last read; empty when none is new. */
  async read(count: number): Promise<string[]> {
    const redis = await this.connections.producer();
    const streams = await redis.xread('COUNT', count, 'STREAMS', this.key, this.lastId);
    const entries = streams?.[0]?.[1] ?? [];
    const last = entries.at(-1);
    if (last) this.lastId = last[0];
    return entries.flatMap(([, fields]) => (fields[0] === 'm' && fields[1] ? [fields[1]] : []));
  }
}
