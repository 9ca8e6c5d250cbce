import type { SagaEntity } from './saga.entity';

const RETRY = /~r\d+$/;

/**
 * The key of a step's command after `n` retries. A refused billing command is sent again under a new key: the
 * billing platform keeps the answer of a key (Stripe replays it, and refuses the key with other parameters), so a
 * retry after a fix must not reuse it, while a redelivery of the same command keeps its key and posts nothing twice.
 */
export function retryKey(base: string, n: number): string {
  return n > 0 ? `${base}~r${String(n)}` : base;
}

/** The key a step's first command had, whichever retry `key` is. */
export function baseKey(key: string): string {
  return key.replace(RETRY, '');
}

/** How many times the saga's step was sent again after a refusal. */
export function retriesOf(saga: SagaEntity, step: string): number {
  return saga.data.retries?.[step] ?? 0;
}
