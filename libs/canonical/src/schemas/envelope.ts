import { z } from 'zod';
import { IdSchema } from './primitives';

export const SourceSchema = z
  .strictObject({
    system: z.enum(['salesforce', 'billing', 'erp', 'revline']),
    objectType: z.string().min(1).max(100),
    objectId: IdSchema,
    replayId: z.string().min(1).max(100).optional(),
    eventId: z.string().min(1).max(255).optional(),
  })
  .meta({ id: 'Source', description: 'Where the event came from: system, object and replay id or event id' });

export const ExternalRefsSchema = z
  .strictObject({
    salesforceId: z.string().min(1).max(18).optional(),
    billingId: IdSchema.optional(),
    erpId: IdSchema.optional(),
    erpExternalId: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/, 'NetSuite externalId allows letters, digits, _ and - only')
      .max(255)
      .optional(),
  })
  .meta({ id: 'ExternalRefs', description: 'Ids of the same business object in each system' });

/** The job envelope plus `source` and `externalRefs`. */
export const envelopeShape = {
  messageId: z.uuidv7().meta({ description: 'uuid v7 of this message' }),
  correlationId: IdSchema.meta({ description: 'One id from the Salesforce change to the ERP line' }),
  causationId: IdSchema.nullable().meta({ description: 'messageId of the message that caused this one' }),
  idempotencyKey: IdSchema,
  occurredAt: z.iso.datetime({ offset: true }),
  tenantId: z.string().min(1).max(64),
  mappingVersion: z
    .int()
    .positive()
    .optional()
    .meta({ description: 'Mapping version that produced the event' }),
  source: SourceSchema,
  externalRefs: ExternalRefsSchema,
};
