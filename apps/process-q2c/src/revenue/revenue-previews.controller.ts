import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@revline/auth';
import { SchedulePreviewRequestSchema } from '@revline/revenue';
import type { ProrationPreview, ScheduleDto, SchedulePreviewRequest } from '@revline/revenue';
import { CanonicalBodyPipe } from './canonical-body.pipe';
import { PreviewProration } from './preview-proration.usecase';
import { PreviewSchedules } from './preview-schedules.usecase';
import { ApiProblemResponses } from './problem-responses';
import { ProrationPreviewRequestSchema, ProrationPreviewSchema } from './proration-preview.schema';
import type { ProrationPreviewRequest } from './proration-preview.schema';
import {
  G1_EVEN_MONTHLY_REQUEST,
  G2_CPQ_PRORATION_REQUEST,
  G2_CPQ_PRORATION_RESPONSE,
  G2_PRORATION_REQUEST,
  G2_PRORATION_RESPONSE,
  G2_SCHEDULE_REQUEST,
  G2_SCHEDULE_RESPONSE,
  INVALID_CONTRACT_PROBLEM,
} from './revenue-examples';
import { SchedulePreviewSchema } from './schedule-preview.schema';

@ApiTags('revenue')
@Roles('finance.viewer')
@Controller('v1')
export class RevenuePreviewsController {
  constructor(
    private readonly schedules: PreviewSchedules,
    private readonly proration: PreviewProration,
  ) {}

  @Post('revenue/schedule-previews')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Preview the revenue schedules of a contract and its amendments',
    description: [
      'Computes, without storing anything, what the revenue engine would recognise for a canonical contract ',
      'after the amendments given (applied in order of effective date), with the usage reported so far and ',
      'the tenant policy given (defaults: ratable by actual days with cumulative half-up rounding, actual-days ',
      'proration, SSP tolerance ±5 %).\n\n',
      'The answer has a schedule by month per performance obligation, the totals, the balances at each month end ',
      '(billed = recognised + deferred; a negative deferral is a contract asset), one record per amendment with ',
      'the ASC 606 modification treatment chosen (separate contract, prospective, cumulative catch-up), its ',
      'citation and reason, and a version per amendment listing what it changed.\n\n',
      'All amounts are integer minor units as strings. Unknown fields are rejected; an invalid contract ',
      '(end before start, negative quantity, unknown currency, amendment outside the term, an amount beyond ',
      '±10^15 minor units) is a 400 whose `errors` name each field and its problem.',
    ].join(''),
  })
  @ApiBody({
    description: 'A canonical contract (ContractTerms), optional amendments, usage and policy',
    examples: {
      g2Expansion: {
        summary: 'G2: 10 → 15 seats at 100 USD/seat/month on 2026-03-15',
        value: G2_SCHEDULE_REQUEST,
      },
      g1EvenMonthly: {
        summary: 'G1: the annual contract alone, even monthly by policy',
        value: G1_EVEN_MONTHLY_REQUEST,
      },
    },
  })
  @ApiOkResponse({
    description: 'The schedules, balances and modification treatments',
    standardSchema: SchedulePreviewSchema,
    examples: {
      g2Expansion: { summary: 'G2 seat expansion: a separate contract', value: G2_SCHEDULE_RESPONSE },
    },
  })
  @ApiProblemResponses(
    '/v1/revenue/schedule-previews',
    {
      description:
        'The body does not match the schema, or the contract is invalid; `errors` names each field',
      example: INVALID_CONTRACT_PROBLEM,
    },
    'finance.viewer',
  )
  previewRevenueSchedules(
    @Body({ schema: SchedulePreviewRequestSchema, pipes: [CanonicalBodyPipe] }) body: SchedulePreviewRequest,
  ): ScheduleDto {
    return this.schedules.execute(body);
  }

  @Post('proration-previews')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Preview the proration of a mid-period quantity or price change',
    description: [
      'Prorates a change inside one billing period under a convention, without storing anything. ',
      '`actual_days` and `stripe_seconds` itemise it the way Stripe does: a credit for the unused time on the old ',
      'quantity and price, and a charge for the remaining time on the new ones, each rounded on its own; the ',
      'Salesforce CPQ and month-based conventions quote the prorated difference as one line. `netMinor` is the ',
      'sum of the lines. Amounts are integer minor units as strings, negative for credits.',
    ].join(''),
  })
  @ApiBody({
    description: 'The change and the proration convention',
    examples: {
      g2ActualDays: { summary: 'G2: 10 → 15 seats on 2026-03-15, actual days', value: G2_PRORATION_REQUEST },
      g2CpqMonthlyDaily: {
        summary: 'G2 with Salesforce CPQ monthly + daily',
        value: G2_CPQ_PRORATION_REQUEST,
      },
    },
  })
  @ApiOkResponse({
    description: 'The charge and credit lines and the net',
    standardSchema: ProrationPreviewSchema,
    examples: {
      g2ActualDays: {
        summary: 'Stripe-style: −9,600.00 + 14,400.00 = 4,800.00',
        value: G2_PRORATION_RESPONSE,
      },
      g2CpqMonthlyDaily: { summary: 'CPQ monthly + daily: 4,779.45', value: G2_CPQ_PRORATION_RESPONSE },
    },
  })
  @ApiProblemResponses(
    '/v1/proration-previews',
    {
      description: 'The body does not match the schema, or the change is invalid; `errors` names each field',
      example: {
        ...INVALID_CONTRACT_PROBLEM,
        detail:
          'Invalid request: change.effectiveDate: must fall inside the billing period 2026-01-01..2026-12-31',
        instance: '/v1/proration-previews',
        errors: [
          {
            field: 'change.effectiveDate',
            problem: 'must fall inside the billing period 2026-01-01..2026-12-31',
          },
        ],
      },
    },
    'finance.viewer',
  )
  previewProration(
    @Body({ schema: ProrationPreviewRequestSchema, pipes: [CanonicalBodyPipe] })
    body: ProrationPreviewRequest,
  ): ProrationPreview {
    return this.proration.execute(body);
  }
}
