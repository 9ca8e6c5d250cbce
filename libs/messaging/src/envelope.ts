import { loadConfig, TenantConfig } from '@revline/config';
import { createHash } from 'node:crypto';
import { currentCorrelation, newCorrelationId, traceHeaders, uuidV7 } from '@revline/observability';

import type { JobName, JobPayloads } from './registry';

export const ENVELOPE_SCHEMA_VERSION = '1.0';
export const DEFAULT_TENANT = 'default';

let tenant: string | undefined;

/** This deployment's tenant (TENANT_ID, `default` unless set): one deployment serves one company. */
export function deploymentTenant(): string {
  tenant ??= loadConfig(TenantConfig).TENANT_ID;
  return tenant;
}

/** What every job carries around its payload. */
export interface Envelope<J extends JobName = JobName> {
  job: J;
  messageId: string;
  correlationId: string;
  causationId: string | null;
  idempotencyKey: string;
  schemaVersion: string;
  occurredAt: string;
  tenantId: string;
  /** Not to run before this instant (ISO datetime): the relay queues it as a delayed job. */
  notBefore?: string;
  /**
   * The W3C trace context of the span that wrote the message (when tracing is on): the consumer's span continues
   * that trace. Absent from messages written without tracing, or before it existed; ignored when malformed.
   */
  traceparent?: string;
  tracestate?: string;
  payload: JobPayloads[J];
}

export interface EnvelopeOptions {
  /** The business key that makes a repeated send the same message: e.g. a command id or a vendor event id. */
  idempotencyKey: string;
  correlationId?: string;
  causationId?: string | null;
  tenantId?: string;
  occurredAt?: Date;
  /** A job that must run at a date (a ramp step due): queued delayed until then; at once when past. */
  notBefore?: Date;
}

/**
 * Builds an envelope; correlation and causation default to the ones in scope (the request or job being handled),
 * and the trace context is the span's in scope.
 */
export function createEnvelope<J extends JobName>(
  job: J,
  payload: JobPayloads[J],
  options: EnvelopeOptions,
): Envelope<J> {
  if (!options.idempotencyKey) throw new Error(`An idempotency key is required to send ${job}`);
  const scope = currentCorrelation();
  return {
    job,
    messageId: uuidV7(),
    correlationId: options.correlationId ?? scope?.correlationId ?? newCorrelationId(),
    causationId: options.causationId !== undefined ? options.causationId : (scope?.causationId ?? null),
    idempotencyKey: options.idempotencyKey,
    schemaVersion: ENVELOPE_SCHEMA_VERSION,
    occurredAt: (options.occurredAt ?? new Date()).toISOString(),
    tenantId: options.tenantId ?? scope?.tenantId ?? deploymentTenant(),
    ...(options.notBefore ? { notBefore: options.notBefore.toISOString() } : {}),
    ...traceHeaders(),
    payload,
  };
}

/**
 * BullMQ job ids are derived from the idempotency key, so an enqueue repeated while the job exists is a no-op.
 * Hashed because custom ids may not contain ':' and keys may be long.
 */
export function jobIdFor(job: JobName, idempotencyKey: string): string {
  return `${job}-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 40)}`;
}

const ENVELOPE_FIELDS = [
  'messageId',
  'correlationId',
  'idempotencyKey',
  'schemaVersion',
  'occurredAt',
  'tenantId',
] as const;

/** Checks a job's data is an envelope before a handler sees it; returns the field that is wrong, if any. */
export function envelopeProblem(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return 'the job data is not an object';
  const record = data as Record<string, unknown>;
  for (const field of ENVELOPE_FIELDS) {
    if (typeof record[field] !== 'string' || record[field] === '')
      return `${field} is missing or not a string`;
  }
  if (typeof record.payload !== 'object' || record.payload === null) return 'payload is missing';
  if (record.tenantId !== deploymentTenant())
    return `tenantId ${String(record.tenantId)} is not this deployment's (${deploymentTenant()})`;
  return undefined;
}
