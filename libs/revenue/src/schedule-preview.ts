import { z } from 'zod';
import {
  amendmentTermsShape,
  checkContractTerms,
  ContractLineSchema,
  contractTermsShape,
  formatPath,
  IsoDateSchema,
  LineDeltaSchema,
  UsageReportedSchema,
} from '@revline/canonical';
import { RevenueInputError } from './core/errors';
import type { RevenuePolicy } from './core/policy';
import { computeSchedules } from './compute-schedules';
import { PRORATION_CONVENTIONS } from './proration/conventions';
import { FISCAL_CALENDARS } from './core/period-grid';
import { toScheduleDto, type ScheduleDto } from './schedule/dto';

const PolicySchema = z.strictObject({
  ratableConvention: z.enum(['ratable_daily', 'even_monthly', 'monthly_prorated']).optional(),
  prorationConvention: z.enum(PRORATION_CONVENTIONS).optional(),
  rampRecognition: z.enum(['as_billed', 'straight_line']).optional(),
  sspTolerance: z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .optional(),
  treatmentOverrides: z
    .record(z.string(), z.enum(['separate_contract', 'prospective', 'cumulative_catch_up']))
    .optional(),
  fiscalCalendar: z.enum(FISCAL_CALENDARS).optional().meta({
    description:
      'The accounting periods the schedule is reported in: calendar months (default), or 52/53-week years cut 4-4-5, 4-5-4, 5-4-4 or into 13 four-week periods (a 53rd week goes to the last period)',
  }),
  fiscalYearStart: IsoDateSchema.optional().meta({
    description:
      'Required with a week calendar: the first day of one fiscal year; every other year starts on its weekday nearest its anniversary',
    examples: ['2026-01-04'],
  }),
});

/**
 * The most items of each array a request can hold: as many of the smallest valid item as fit in the
 * HTTP apps' default body limit (1 MiB), so the documented maximum and the body limit agree.
 */
const BODY_LIMIT_BYTES = 1024 * 1024;
const fitting = (smallest: unknown): number =>
  Math.floor(BODY_LIMIT_BYTES / (JSON.stringify(smallest).length + 1));
const SMALLEST_LINE = {
  lineId: 'a',
  productCode: 'a',
  pobId: 'a',
  chargeType: 'usage',
  quantity: '0',
  unitPrice: '0',
  unitPricePeriod: 'term',
  netAmount: { amountMinor: '0', currency: 'USD' },
  serviceStart: '2026-01-01',
  serviceEnd: '2026-01-01',
  revenueTreatment: 'usage',
};
const SMALLEST_DELTA = {
  lineId: 'a',
  priorQuantity: '0',
  newQuantity: '0',
  priorUnitPrice: '0',
  newUnitPrice: '0',
};
const SMALLEST_AMENDMENT = {
  amendmentId: 'a',
  amendsContractId: 'a',
  amendmentType: 'expansion',
  effectiveDate: '2026-01-01',
  coTerminated: true,
  lineDeltas: [],
};
const SMALLEST_USAGE = { lineId: 'a', quantity: '0', usageStart: '2026-01-01', usageEnd: '2026-01-01' };
export const PREVIEW_MAX_ITEMS = {
  lines: fitting(SMALLEST_LINE),
  lineDeltas: fitting(SMALLEST_DELTA),
  amendments: fitting(SMALLEST_AMENDMENT),
  usage: fitting(SMALLEST_USAGE),
} as const;

const linesOf = (what: string, min: number) =>
  z
    .array(ContractLineSchema)
    .min(min)
    .max(PREVIEW_MAX_ITEMS.lines)
    .meta({
      description: `${what}; at most ${String(PREVIEW_MAX_ITEMS.lines)} (what fits in the 1 MiB body)`,
    });

/** A canonical contract (ContractTerms) with its lines bounded by the body limit. */
const PreviewContractSchema = z
  .strictObject({ ...contractTermsShape, lines: linesOf('The contract lines', 1) })
  .superRefine((v, ctx) => {
    checkContractTerms(v, ctx);
  })
  .meta({
    id: 'ContractTerms',
    description: 'The commercial terms of a contract: what the revenue engine reads',
  });

/** A canonical amendment (AmendmentTerms) with its arrays bounded by the body limit. */
const PreviewAmendmentSchema = z
  .strictObject({
    ...amendmentTermsShape,
    lineDeltas: z
      .array(LineDeltaSchema)
      .max(PREVIEW_MAX_ITEMS.lineDeltas)
      .meta({ description: `At most ${String(PREVIEW_MAX_ITEMS.lineDeltas)} (what fits in the 1 MiB body)` }),
    addedLines: linesOf('Lines the amendment adds', 0).optional(),
  })
  .meta({ id: 'AmendmentTerms' });

/** Body of POST /v1/revenue/schedule-previews: a canonical contract, optional amendments, usage, policy. */
export const SchedulePreviewRequestSchema = z
  .strictObject({
    contract: PreviewContractSchema,
    amendments: z
      .array(PreviewAmendmentSchema)
      .max(PREVIEW_MAX_ITEMS.amendments)
      .optional()
      .meta({ description: `At most ${String(PREVIEW_MAX_ITEMS.amendments)} (what fits in the 1 MiB body)` }),
    usage: z
      .array(UsageReportedSchema.pick({ lineId: true, quantity: true, usageStart: true, usageEnd: true }))
      .max(PREVIEW_MAX_ITEMS.usage)
      .optional()
      .meta({ description: `At most ${String(PREVIEW_MAX_ITEMS.usage)} (what fits in the 1 MiB body)` }),
    policy: PolicySchema.optional(),
  })
  .meta({ id: 'SchedulePreviewRequest' });

export type SchedulePreviewRequest = z.infer<typeof SchedulePreviewRequestSchema>;

/** Validates a request body; the first problem becomes a RevenueInputError naming its field. */
export function parseSchedulePreviewRequest(body: unknown): SchedulePreviewRequest {
  const result = SchedulePreviewRequestSchema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues.at(0);
    const path = issue === undefined ? '' : formatPath(issue.path);
    const field =
      issue?.code === 'unrecognized_keys' ? formatPath([...issue.path, ...issue.keys.slice(0, 1)]) : path;
    throw new RevenueInputError(field || '(body)', issue?.message ?? 'invalid request');
  }
  return result.data;
}

/** Validates and computes a schedule preview; returns the JSON-safe result. */
export function previewSchedules(body: unknown): ScheduleDto {
  const req = parseSchedulePreviewRequest(body);
  const policy: RevenuePolicy | undefined = req.policy;
  return toScheduleDto(computeSchedules(req.contract, req.amendments ?? [], policy, req.usage ?? []));
}
