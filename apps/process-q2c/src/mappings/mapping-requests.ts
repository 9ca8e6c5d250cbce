import { z } from 'zod';
import { MappingDefinitionSchema } from './mapping-definition';

export const ProposeMappingSchema = z
  .strictObject({
    summary: z
      .string()
      .trim()
      .min(3)
      .max(500)
      .meta({ examples: ['Add the premium analytics product'] }),
    baseVersion: z
      .number()
      .int()
      .min(1)
      .meta({
        description:
          'The version this definition was built on: the active version when the proposer read it (GET /v1/mappings/active). Refused with 409 when another version is active now.',
        examples: [1],
      }),
    definition: MappingDefinitionSchema,
  })
  .meta({ id: 'ProposeMapping' });

export const DecisionSchema = z
  .strictObject({
    reason: z
      .string()
      .trim()
      .min(3)
      .max(1000)
      .meta({ examples: ['Checked against the price book'] }),
  })
  .meta({ id: 'MappingDecision' });

/** The approval note is optional, and so is the body itself. */
export const ApproveSchema = z
  .strictObject({
    reason: z.string().trim().min(3).max(1000).optional(),
  })
  .optional()
  .meta({ id: 'MappingApproval' });

export type ProposeMapping = z.infer<typeof ProposeMappingSchema>;
export type Decision = z.infer<typeof DecisionSchema>;
export type Approval = z.infer<typeof ApproveSchema>;
