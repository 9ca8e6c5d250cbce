import { Injectable } from '@nestjs/common';

export interface FaultSettings {
  /** Added to every API answer, after the request has taken effect (a slow or lost answer). */
  latencyMs: number;
  /** Share of API requests answered 429 (code rate_limit) before they take effect. */
  rate429: number;
  /** Share of API requests answered 500 api_error before they take effect. */
  rate5xx: number;
  /** The next N API requests fail with this status before they take effect. */
  failNext: { count: number; status: 429 | 500 | 503 };
  /** Share of webhook deliveries dropped (the event stays in /v1/events). */
  webhookDropRate: number;
  /** Share of webhook deliveries sent twice. */
  webhookDuplicateRate: number;
  /** Deliveries are held for this many ms and sent newest first (0: in order, as they happen). */
  webhookReorderWindowMs: number;
  /** The next N webhook deliveries are dropped. */
  dropNextWebhooks: number;
  /** The next N webhook deliveries are sent twice. */
  duplicateNextWebhooks: number;
  /** Every webhook delivery is sent this many times (1: once); drops and duplicates apply first. */
  webhookCopies: number;
  /** Share of POST requests that take effect and whose answer is lost: the connection is cut instead. */
  answerLostRate: number;
  /** The account has no Sigma subscription: query runs are refused. */
  sigmaDisabled: boolean;
}

export const NO_FAULTS: FaultSettings = {
  latencyMs: 0,
  rate429: 0,
  rate5xx: 0,
  failNext: { count: 0, status: 500 },
  webhookDropRate: 0,
  webhookDuplicateRate: 0,
  webhookReorderWindowMs: 0,
  dropNextWebhooks: 0,
  duplicateNextWebhooks: 0,
  webhookCopies: 1,
  answerLostRate: 0,
  sigmaDisabled: false,
};

/** The sandbox's fault switches, set through `POST /sandbox/faults` so bad days can be tested. */
@Injectable()
export class Faults {
  settings: FaultSettings = structuredClone(NO_FAULTS);
  random: () => number = Math.random;

  set(update: Partial<FaultSettings>): FaultSettings {
    const defined = Object.fromEntries(
      Object.entries(update as Record<string, unknown>).filter(([, value]) => value !== undefined),
    );
    this.settings = { ...this.settings, ...defined };
    return this.settings;
  }

  reset(): FaultSettings {
    this.settings = structuredClone(NO_FAULTS);
    return this.settings;
  }

  /** The status an API request fails with before it takes effect, if any. */
  requestFailure(): 429 | 500 | 503 | null {
    if (this.settings.failNext.count > 0) {
      this.settings.failNext = { ...this.settings.failNext, count: this.settings.failNext.count - 1 };
      return this.settings.failNext.status;
    }
    if (this.settings.rate429 > 0 && this.random() < this.settings.rate429) return 429;
    if (this.settings.rate5xx > 0 && this.random() < this.settings.rate5xx) return 500;
    return null;
  }

  /** How many times to deliver a webhook: 0 (dropped), 1, 2 (duplicated), or `webhookCopies` times. */
  deliveries(): number {
    if (this.settings.dropNextWebhooks > 0) {
      this.settings.dropNextWebhooks -= 1;
      return 0;
    }
    if (this.settings.webhookDropRate > 0 && this.random() < this.settings.webhookDropRate) return 0;
    const copies = Math.max(1, this.settings.webhookCopies);
    if (this.settings.duplicateNextWebhooks > 0) {
      this.settings.duplicateNextWebhooks -= 1;
      return Math.max(2, copies);
    }
    if (this.settings.webhookDuplicateRate > 0 && this.random() < this.settings.webhookDuplicateRate)
      return Math.max(2, copies);
    return copies;
  }

  /** True when a POST that took effect should lose its answer (the `answerLostRate` switch). */
  answerLost(): boolean {
    return this.settings.answerLostRate > 0 && this.random() < this.settings.answerLostRate;
  }
}
