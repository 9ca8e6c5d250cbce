import { AsyncLocalStorage } from 'node:async_hooks';
import { uuidV7 } from './ids';

export interface CorrelationContext {
  correlationId: string;
  /** The message or request that caused the current work, when there is one. */
  causationId?: string;
  tenantId?: string;
}

const storage = new AsyncLocalStorage<CorrelationContext>();
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const CORRELATION_HEADER = 'x-correlation-id';

export function newCorrelationId(): string {
  return uuidV7();
}

/** A caller's id is kept when it is a plain token; anything else is replaced rather than echoed. */
export function acceptCorrelationId(candidate: unknown): string {
  return typeof candidate === 'string' && ACCEPTABLE_ID.test(candidate) ? candidate : newCorrelationId();
}

export function runWithCorrelation<T>(context: CorrelationContext, work: () => T): T {
  return storage.run(context, work);
}

export function currentCorrelation(): CorrelationContext | undefined {
  return storage.getStore();
}

export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}
