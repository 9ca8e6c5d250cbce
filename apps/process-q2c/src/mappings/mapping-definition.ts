import {
  ChargeTypeSchema,
  IdSchema,
  NonNegativeDecimalSchema,
  RevenueTreatmentSchema,
  UnitPricePeriodSchema,
} from '@revline/canonical';
import { z } from 'zod';

/** Canonical fields read from the order itself (one value per order). */
export const ORDER_TARGETS = [
  'contractId',
  'orderType',
  'status',
  'currency',
  'termStart',
  'termEnd',
  'billingFrequency',
  'billingTiming',
  'billCycleDay',
  'amendmentType',
  'amendedContractRef',
  'renewedContractRef',
  'customer.customerId',
  'customer.salesforceAccountId',
  'customer.billingCustomerId',
  'customer.erpCustomerId',
  'customer.currency',
  'customer.name',
  'customer.billingAddress.line1',
  'customer.billingAddress.city',
  'customer.billingAddress.state',
  'customer.billingAddress.postalCode',
  'customer.billingAddress.country',
] as const;

/** Canonical fields read from each order line (the collection `OrderItems[]`). */
export const LINE_TARGETS = [
  'lines[].lineId',
  'lines[].productCode',
  'lines[].quantity',
  'lines[].unitPrice',
  'lines[].serviceStart',
  'lines[].serviceEnd',
  'lines[].chargeType',
  'lines[].revisesLineId',
  'lines[].segmentKey',
] as const;

export type OrderTarget = (typeof ORDER_TARGETS)[number];
export type LineTarget = (typeof LINE_TARGETS)[number];
export type MappingTarget = OrderTarget | LineTarget;

/** Targets without which no order can be normalised. */
export const REQUIRED_TARGETS: readonly MappingTarget[] = [
  'contractId',
  'orderType',
  'status',
  'currency',
  'termStart',
  'customer.salesforceAccountId',
  'lines[].lineId',
  'lines[].productCode',
  'lines[].quantity',
  'lines[].unitPrice',
];

/** The order's lines are this collection of the record (a SOQL sub-query `{records: [...]}` or an array). */
export const LINE_COLLECTION = 'OrderItems[]';

const SEGMENT = '[A-Za-z_][A-Za-z0-9_]*(\\[\\])?';
export const FIELD_PATH = new RegExp(`^${SEGMENT}(\\.${SEGMENT})*$`);

export const FieldMappingSchema = z
  .strictObject({
    target: z.enum([...ORDER_TARGETS, ...LINE_TARGETS]).meta({ description: 'The canonical field' }),
    source: z
      .string()
      .max(300)
      .regex(
        FIELD_PATH,
        'must be a field path such as "Account.Revline_Billing_Id__c" or "OrderItems[].Quantity"',
      )
      .meta({
        description:
          'Salesforce field path (API names, custom fields included); `[]` walks a collection. Line fields start with OrderItems[].',
        examples: ['OrderItems[].Product2.ProductCode'],
      }),
    valueMap: z
      .record(z.string().min(1).max(100), z.string().min(1).max(100))
      .optional()
      .meta({ description: 'Translates source values ("Recurring") to canonical ones ("recurring")' }),
    default: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .meta({ description: 'Canonical value used when the source field is empty' }),
  })
  .meta({ id: 'FieldMapping' });

export const CatalogueEntrySchema = z
  .strictObject({
    productCode: IdSchema.meta({ examples: ['SEAT'] }),
    billingPriceId: IdSchema.meta({
      description: 'Billing platform price id',
      examples: ['price_seat_monthly'],
    }),
    erpItemId: IdSchema.meta({ description: 'ERP item external id', examples: ['ITEM-SEAT'] }),
    revenueTreatment: RevenueTreatmentSchema,
    ssp: NonNegativeDecimalSchema.meta({
      description: 'Standalone selling price per unit per unitPricePeriod, major units',
      examples: ['100'],
    }),
    unitPricePeriod: UnitPricePeriodSchema.meta({ description: 'What the CRM unit price is per' }),
    pobId: IdSchema.meta({ description: 'Performance obligation id', examples: ['POB-SUBSCRIPTION'] }),
    productClass: z
      .string()
      .min(1)
      .max(100)
      .meta({ examples: ['subscription'] }),
    chargeType: ChargeTypeSchema.optional().meta({
      description: 'Used when the order line does not say (the line value wins)',
    }),
    includedUsage: NonNegativeDecimalSchema.optional(),
    overageRate: NonNegativeDecimalSchema.optional(),
  })
  .meta({ id: 'CatalogueEntry' });

export const SYSTEMS = ['salesforce', 'billing', 'erp'] as const;
export type SystemName = (typeof SYSTEMS)[number];

export const SystemsOfRecordSchema = z
  .strictObject({
    customerMaster: z.enum(SYSTEMS),
    contractStatus: z.enum(SYSTEMS),
    invoiceState: z.enum(SYSTEMS),
    revenueTreatment: z.enum(SYSTEMS),
  })
  .meta({ id: 'SystemsOfRecord', description: 'Which system is the record for each domain' });

export const MappingDefinitionSchema = z
  .strictObject({
    fieldMappings: z.array(FieldMappingSchema).min(1).max(200),
    productCatalogue: z.array(CatalogueEntrySchema).max(10_000),
    systemsOfRecord: SystemsOfRecordSchema,
  })
  .superRefine((value, ctx) => {
    const seen = new Set<string>();
    value.fieldMappings.forEach((m, i) => {
      if (seen.has(m.target)) {
        ctx.addIssue({
          code: 'custom',
          path: ['fieldMappings', i, 'target'],
          message: `${m.target} is mapped twice`,
        });
      }
      seen.add(m.target);
      const lineTarget = m.target.startsWith('lines[].');
      if (lineTarget && !m.source.startsWith(`${LINE_COLLECTION}.`)) {
        ctx.addIssue({
          code: 'custom',
          path: ['fieldMappings', i, 'source'],
          message: `a line field must be read from ${LINE_COLLECTION}.<field>`,
        });
      }
    });
    for (const target of REQUIRED_TARGETS) {
      if (!seen.has(target)) {
        ctx.addIssue({ code: 'custom', path: ['fieldMappings'], message: `${target} must be mapped` });
      }
    }
    const codes = new Set<string>();
    value.productCatalogue.forEach((entry, i) => {
      if (codes.has(entry.productCode)) {
        ctx.addIssue({
          code: 'custom',
          path: ['productCatalogue', i, 'productCode'],
          message: `product ${entry.productCode} is listed twice`,
        });
      }
      codes.add(entry.productCode);
    });
  })
  .meta({ id: 'MappingDefinition' });

export type FieldMapping = z.infer<typeof FieldMappingSchema>;
export type CatalogueEntry = z.infer<typeof CatalogueEntrySchema>;
export type SystemsOfRecord = z.infer<typeof SystemsOfRecordSchema>;
export type MappingDefinition = z.infer<typeof MappingDefinitionSchema>;

/** A mapping version ready for use: the definition with its catalogue indexed by product code. */
export interface CompiledMapping {
  readonly version: number;
  readonly definition: MappingDefinition;
  readonly byTarget: ReadonlyMap<MappingTarget, FieldMapping>;
  readonly catalogue: ReadonlyMap<string, CatalogueEntry>;
}

export function compileMapping(version: number, definition: MappingDefinition): CompiledMapping {
  return {
    version,
    definition,
    byTarget: new Map(definition.fieldMappings.map((m) => [m.target, m])),
    catalogue: new Map(definition.productCatalogue.map((p) => [p.productCode, p])),
  };
}
