import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { NetSuiteError, requestLimitExceeded } from '../errors/netsuite-error';
import { ConcurrencyGate } from './concurrency-gate';
import { FaultSwitches } from './fault-switches';

/** What a route answers: a status, headers and an optional JSON body. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * Runs one authenticated request the way the account does: it takes a concurrency slot (or is refused with
 * 429), suffers the switched-on faults, does its work, gives the slot back, and answers. A write hit by the
 * timeout-after-save fault is saved and then never answered: the socket is destroyed.
 */
@Injectable()
export class AccountRunner {
  constructor(
    private readonly gate: ConcurrencyGate,
    private readonly faults: FaultSwitches,
  ) {}

  async run(reply: FastifyReply, kind: 'read' | 'write', work: () => Answer): Promise<void> {
    const release = this.gate.enter();
    let answer: Answer;
    try {
      const faults = this.faults.current();
      if (faults.latencyMs > 0) await sleep(faults.latencyMs);
      if (this.faults.rollRateLimit()) throw requestLimitExceeded(this.gate.stats().limit);
      if (this.faults.rollServerError()) {
        throw new NetSuiteError(503, 'UNEXPECTED_ERROR', 'An unexpected error occurred. Please try again.');
      }
      answer = work();
    } finally {
      release();
    }
    if (kind === 'write' && answer.status < 300 && this.faults.rollTimeoutAfterSave()) {
      const hang = this.faults.current().timeoutAfterSaveMs;
      if (hang > 0) await sleep(hang);
      reply.raw.destroy();
      return;
    }
    void reply.status(answer.status);
    for (const [name, value] of Object.entries(answer.headers ?? {})) void reply.header(name, value);
    if (answer.body === undefined) await reply.send();
    else
      await reply
        .header('content-type', 'application/vnd.oracle.resource+json; type=singular')
        .send(answer.body);
  }
}
