import type { DynamicModule } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ConnectionAlerts } from './connection-alerts';
import { ExceptionForwarding, FORWARD_EXCEPTIONS } from './exception-forwarding';
import { ExceptionRecorder } from './exception-recorder';
import { ExceptionSettlement, SETTLEMENT_HANDLER } from './exception-settlement';
import { DeliveryReceipts } from './delivery-receipts';
import { Inbox } from './inbox';
import type { MessagingOptions } from './job-workers';
import { JobWorkers, MESSAGING_OPTIONS } from './job-workers';
import { Outbox } from './outbox';
import { OutboxRelay } from './outbox-relay';
import { OutboxRedelivery } from './outbox-redelivery';
import { OutboxRepository } from './outbox.repository';
import { Queues } from './queues';
import { RedisConnections } from './redis-connections';
import { Retention } from './retention';
import { RetentionRepository } from './retention.repository';

/** Queues, the outbox and its relay, the inbox, exceptions and the workers of one app. */
@Module({})
export class MessagingModule {
  static forApp(options: MessagingOptions): DynamicModule {
    const providers = [
      RedisConnections,
      Queues,
      Outbox,
      OutboxRepository,
      OutboxRelay,
      DeliveryReceipts,
      OutboxRedelivery,
      Retention,
      RetentionRepository,
      Inbox,
      ExceptionForwarding,
      ExceptionRecorder,
      ConnectionAlerts,
      JobWorkers,
    ];
    const system = options.forwardExceptions;
    const forwarding = system
      ? [{ provide: FORWARD_EXCEPTIONS, useValue: system }, ExceptionSettlement, SETTLEMENT_HANDLER[system]]
      : [];
    return {
      module: MessagingModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [{ provide: MESSAGING_OPTIONS, useValue: options }, ...providers, ...forwarding],
      exports: [
        RedisConnections,
        Queues,
        Outbox,
        OutboxRelay,
        OutboxRedelivery,
        DeliveryReceipts,
        Retention,
        Inbox,
        ExceptionForwarding,
        ExceptionRecorder,
        ConnectionAlerts,
      ],
    };
  }
}
