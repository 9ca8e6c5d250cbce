import { Injectable, Logger } from '@nestjs/common';
import type { Envelope } from './envelope';
import { RedisConnections } from './redis-connections';

/** Receipts kept in the stream: a relay that falls further behind than this loses some, and re-drives those. */
const RECEIPTS_KEPT = 100_000;

/**
 * The consumers' confirmations that they applied a message: a Redis stream every producer's relay reads, since the
 * apps keep their outboxes in schemas of their own. A receipt names the message id only; a relay marks the rows
 * of its own outbox it finds and ignores the rest; an entry holds the receipts of the jobs that finished together. A receipt lost (Redis away, the stream trimmed, Redis restarted
 * without it) costs a re-drive the consumer's inbox drops, never a message.
 */
@Injectable()
export class DeliveryReceipts {
  private readonly logger = new Logger(DeliveryReceipts.name);
  /** The last receipt this process has read: a new process reads the stream from its start. */
  private lastId = '0';
  /** Receipts waiting for the next entry, and the promise of that entry. */
  private pending: string[] = [];
  private flushing?: Promise<void>;

  constructor(private readonly connections: RedisConnections) {}

  get key(): string {
    return `${this.connections.prefix}:outbox-receipts`;
  }

  /**
   * Confirms a message applied (or parked as an exception). The receipts of jobs finishing together go out as one
   * stream entry (one Redis command, not one each); the promise settles when that entry is written. A failure is
   * logged: the re-drive covers it.
   */
  confirm(envelope: Pick<Envelope, 'messageId'>): Promise<void> {
    this.pending.push(envelope.messageId);
    this.flushing ??= new Promise<void>((resolve) => {
      setImmediate(() => {
        const ids = this.pending;
        this.pending = [];
        this.flushing = undefined;
        resolve(this.send(ids));
      });
    });
    return this.flushing;
  }

  private async send(ids: readonly string[]): Promise<void> {
    try {
      const redis = await this.connections.producer();
      await redis.xadd(
        this.key,
        'MAXLEN',
        '~',
        String(RECEIPTS_KEPT),
        '*',
        ...ids.flatMap((id) => ['m', id]),
      );
    } catch (error) {
      this.logger.warn(`Receipts of ${ids.join(', ')} not sent: ${(error as Error).message}`);
    }
  }

  /** The message ids of up to `count` receipts after the last read; empty when none is new. */
  async read(count: number): Promise<string[]> {
    const redis = await this.connections.producer();
    const streams = await redis.xread('COUNT', count, 'STREAMS', this.key, this.lastId);
    const entries = streams?.[0]?.[1] ?? [];
    const last = entries.at(-1);
    if (last) this.lastId = last[0];
    return entries.flatMap(([, fields]) =>
      fields.filter((value, index) => index % 2 === 1 && fields[index - 1] === 'm'),
    );
  }
}
