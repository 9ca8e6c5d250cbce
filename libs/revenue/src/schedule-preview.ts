import { z } from 'zod';
import {
  AmendmentTermsSchema,
  ContractTermsSchema,
  formatPath,
  UsageReportedSchema,
} from '@revline/canonical';
import { RevenueInputError } from './core/errors';
import type { RevenuePolicy } from './core/policy';
import { computeSchedules } from './compute-schedules';
import { PRORATION_CONVENTIONS } from './proration/conventions';
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
});

/** Body of POST /v1/revenue/schedule-previews: a canonical contract, optional amendments, usage, policy. */
export const SchedulePreviewRequestSchema = z
  .strictObject({
    contract: ContractTermsSchema,
    amendments: z.array(AmendmentTermsSchema).optional(),
    usage: z
      .array(UsageReportedSchema.pick({ lineId: true, quantity: true, usageStart: true, usageEnd: true }))
      .optional(),
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
