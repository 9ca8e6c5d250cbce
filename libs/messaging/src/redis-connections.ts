import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { RedisConfig } from '@revline/config';
import { assertNoEviction } from '@revline/observability';
import { Redis } from 'ioredis';

/**
 * Redis connections as BullMQ's production guide asks: producers fail fast when Redis is away (no offline
 * queue), workers wait for it forever (`maxRetriesPerRequest: null`), each worker with its own connection.
 */
@Injectable()
export class RedisConnections implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnections.name);
  private producerConnection?: Redis;
  private readonly workerConnections: Redis[] = [];

  constructor(private readonly config: RedisConfig) {}

  /** Every app that uses queues checks Redis at start, and refuses to run on one that may evict jobs. */
  async onModuleInit(): Promise<void> {
    await this.producer();
  }

  get prefix(): string {
    return this.config.QUEUE_PREFIX;
  }

  /** Connects the producer and refuses to go on unless Redis never evicts keys. */
  async producer(): Promise<Redis> {
    if (!this.producerConnection) {
      const connection = new Redis(this.config.REDIS_URL, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: 5_000,
      });
      connection.on('error', (error: Error) => {
        this.logger.warn(`Redis producer: ${error.message}`);
      });
      this.producerConnection = connection;
      await connection.connect();
      await assertNoEviction(connection);
    }
    return this.producerConnection;
  }

  worker(): Redis {
    const connection = new Redis(this.config.REDIS_URL, {
      maxRetriesPerRequest: null,
      enableReadyCheck: false,
    });
    connection.on('error', (error: Error) => {
      this.logger.warn(`Redis worker: ${error.message}`);
    });
    this.workerConnections.push(connection);
    return connection;
  }

  async onApplicationShutdown(): Promise<void> {
    const all = [...this.workerConnections, ...(this.producerConnection ? [this.producerConnection] : [])];
    await Promise.allSettled(all.map((c) => c.quit()));
  }
}
