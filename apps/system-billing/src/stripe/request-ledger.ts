import { Injectable, Logger } from '@nestjs/common';
import type { BeforeApplicationShutdown } from '@nestjs/common';
import { BillingRowsRepository } from '../persistence/billing-rows.repository';

/** How long a kept answer may wait for the next plan to carry it before it is written on its own. */
const ANSWER_WINDOW_MS = 20;

/**
 * Fixes a command step's Stripe request the first time it is planned (the parameters are computed each time, but
 * only the first plan written is ever sent). A retry, a concurrent duplicate or a rerun
 * after a timeout reads the same parameters back, so Stripe sees one request under one Idempotency-Key and
 * replays its first answer; once an answer is kept, Stripe is not asked again at all.
 *
 * An answer is written with the next plan this process writes (a command's next request, or another command's),
 * or on its own after ANSWER_WINDOW_MS: one statement fewer a request. An answer lost with the process in that
 * window costs a request sent again under the same Idempotency-Key, which Stripe answers from its own record.
 */
@Injectable()
export class RequestLedger implements BeforeApplicationShutdown {
  private readonly logger = new Logger(RequestLedger.name);
  /** Answers to keep, by idempotency key, not yet written. */
  private readonly answers = new Map<string, object>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly rows: BillingRowsRepository) {}

  async plan<P extends object>(
    key: string,
    operation: string,
    compute: () => Promise<P>,
  ): Promise<{ params: P; response: object | null }> {
    const params = await compute();
    // The parameters as stored (jsonb orders keys its own way), so every attempt sends the very same request.
    const answers = this.takeAnswers();
    let planned: P | null;
    try {
      planned = await this.rows.insertPlan(key, operation, params, answers);
    } catch (error) {
      for (const [k, response] of answers) this.complete(k, response);
      throw error;
    }
    if (planned) return { params: planned, response: null };
    // Planned before (a retry, a duplicate, a rerun): the first plan is the one sent.
    const row = await this.rows.plan(key);
    if (!row) throw new Error(`The Stripe request ${key} was planned but its row is gone`);
    return { params: row.params as P, response: row.response };
  }

  /** Keeps a request's answer: written with the next plan, or within ANSWER_WINDOW_MS. */
  complete(key: string, response: object): void {
    if (!this.answers.has(key)) this.answers.set(key, response);
    this.timer ??= setTimeout(() => void this.writeAnswers(), ANSWER_WINDOW_MS);
  }

  /** The answers not yet written go out now (at shutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    await this.writeAnswers();
  }

  private takeAnswers(): Array<[string, object]> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const answers = [...this.answers];
    this.answers.clear();
    return answers;
  }

  private async writeAnswers(): Promise<void> {
    const answers = this.takeAnswers();
    if (answers.length === 0) return;
    try {
      await this.rows.complete(answers);
    } catch (error) {
      // Not kept: a rerun of those requests sends them again under their keys, and Stripe replays its answers.
      this.logger.warn(
        `Answers of ${answers.map(([k]) => k).join(', ')} not kept: ${(error as Error).message}`,
      );
    }
  }

  /**
   * Drops a plan that was never answered, so the next attempt plans again from fresh data (a request the vendor
   * refused for its parameters: once they are fixed at the source, the same plan would only be refused again).
   */
  async forget(key: string): Promise<void> {
    await this.rows.forget(key);
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
    this.complete(key, answer);
    return answer;
  }
}
