import type { z } from 'zod';
import {
  CreditMemoIssuedSchema,
  InvoiceIssuedSchema,
  PaymentReceivedSchema,
  UsageReportedSchema,
} from './billing-events';
import { ContractAmendedSchema } from './contract-amended';
import { ContractBookedSchema } from './contract-booked';
import { RevenueScheduleUpdatedSchema } from './revenue-schedule-updated';

/** Every canonical event schema, by event type. */
export const EVENT_SCHEMAS = {
  ContractBooked: ContractBookedSchema,
  ContractAmended: ContractAmendedSchema,
  UsageReported: UsageReportedSchema,
  InvoiceIssued: InvoiceIssuedSchema,
  CreditMemoIssued: CreditMemoIssuedSchema,
  PaymentReceived: PaymentReceivedSchema,
  RevenueScheduleUpdated: RevenueScheduleUpdatedSchema,
} as const;

export type CanonicalEventType = keyof typeof EVENT_SCHEMAS;
export type CanonicalEventOf<T extends CanonicalEventType> = z.infer<(typeof EVENT_SCHEMAS)[T]>;
export type CanonicalEvent = { [T in CanonicalEventType]: CanonicalEventOf<T> }[CanonicalEventType];

export const CANONICAL_EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as CanonicalEventType[];

export function isCanonicalEventType(value: unknown): value is CanonicalEventType {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(EVENT_SCHEMAS, value);
}

/** The schema version this code writes and expects; older 1.x events are upcast on read. */
export const CURRENT_SCHEMA_VERSION = '1.1';
