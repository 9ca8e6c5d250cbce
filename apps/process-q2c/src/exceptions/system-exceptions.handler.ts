import { Injectable } from '@nestjs/common';
import type { Envelope } from '@revline/messaging';
import { Inbox, JobHandler } from '@revline/messaging';
import { ForwardedExceptions } from './forwarded-exceptions.repository';

const CONSUMER = 'process-q2c.exceptions';

/**
 * The exceptions system APIs record in their own tables (connection alerts, a reused Salesforce id, retries run
 * out…) reach the workbench (system.exceptions): raised opens or reopens the row, cleared resolves it.
 */
@Injectable()
export class SystemExceptionsHandler {
  constructor(
    private readonly inbox: Inbox,
    private readonly forwarded: ForwardedExceptions,
  ) {}

  @JobHandler('system.exception-raised')
  async raised(envelope: Envelope<'system.exception-raised'>): Promise<unknown> {
    const outcome = await this.inbox.runOnce(CONSUMER, envelope, (manager) =>
      this.forwarded.raise(manager, envelope.payload),
    );
    return { duplicate: !outcome.applied };
  }

  @JobHandler('system.exception-cleared')
  async cleared(envelope: Envelope<'system.exception-cleared'>): Promise<unknown> {
    const outcome = await this.inbox.runOnce(CONSUMER, envelope, (manager) =>
      this.forwarded.clear(manager, envelope.payload),
    );
    return { duplicate: !outcome.applied };
  }
}
