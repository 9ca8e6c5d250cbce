import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { RedisConfig } from '@revline/config';
import { Redis } from 'ioredis';

type Listener = (keyId: string) => void;

/**
 * Tells every app at once that an API key was revoked, over Redis pub/sub on `<QUEUE_PREFIX>:api-keys:revoked`
 * (the message is the key's id). Each app's key cache may be trusted only while it hears the channel: `listening`
 * turns false as soon as the subscription's connection drops (a revocation may be missed then), and true again
 * once it has subscribed anew.
 */
@Injectable()
export class RevocationBus implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RevocationBus.name);
  private readonly revokedListeners: Listener[] = [];
  private readonly deafListeners: (() => void)[] = [];
  private subscriber?: Redis;
  private publisher?: Redis;
  private subscribed = false;

  constructor(private readonly config: RedisConfig) {}

  get channel(): string {
    return `${this.config.QUEUE_PREFIX}:api-keys:revoked`;
  }

  /** Whether a revocation published now would be heard here. */
  get listening(): boolean {
    return this.subscribed && this.subscriber?.status === 'ready';
  }

  onRevoked(listener: Listener): void {
    this.revokedListeners.push(listener);
  }

  /** Called when the subscription drops: what was cached may since have been revoked. */
  onDeaf(listener: () => void): void {
    this.deafListeners.push(listener);
  }

  async onModuleInit(): Promise<void> {
    const subscriber = new Redis(this.config.REDIS_URL, {
      lazyConnect: true,
      connectTimeout: 5_000,
      connectionName: `${this.channel}:subscriber`,
    });
    this.subscriber = subscriber;
    subscriber.on('error', (error: Error) => {
      this.logger.warn(`Redis revocation subscriber: ${error.message}`);
    });
    subscriber.on('close', () => {
      this.deafen();
    });
    subscriber.on('message', (channel: string, keyId: string) => {
      if (channel === this.channel) for (const listener of this.revokedListeners) listener(keyId);
    });
    // ioredis subscribes again by itself after a reconnection; the cache is trusted again once it has.
    subscriber.on('ready', () => {
      if (!this.subscribed) void this.subscribe();
    });
    await subscriber.connect();
    await this.subscribe();
  }

  /** Publishes a revocation; a failure is logged, and the other apps' caches expire within their lifetime. */
  async publish(keyId: string): Promise<void> {
    this.publisher ??= this.newPublisher();
    try {
      await this.publisher.publish(this.channel, keyId);
    } catch (error) {
      this.logger.warn(`Could not publish the revocation of API key ${keyId}: ${(error as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    const connections = [this.subscriber, this.publisher].filter((c): c is Redis => c !== undefined);
    this.revokedListeners.length = 0;
    this.deafListeners.length = 0;
    await Promise.allSettled(connections.map((c) => c.quit()));
  }

  private async subscribe(): Promise<void> {
    try {
      await this.subscriber?.subscribe(this.channel);
      this.subscribed = true;
    } catch (error) {
      this.logger.warn(`Could not subscribe to API key revocations: ${(error as Error).message}`);
    }
  }

  private deafen(): void {
    this.subscribed = false;
    for (const listener of this.deafListeners) listener();
  }

  private newPublisher(): Redis {
    const publisher = new Redis(this.config.REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 5_000 });
    publisher.on('error', (error: Error) => {
      this.logger.warn(`Redis revocation publisher: ${error.message}`);
    });
    return publisher;
  }
}
