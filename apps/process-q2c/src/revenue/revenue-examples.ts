import { previewProration, previewSchedules } from '@revline/revenue';
import type { ProrationPreview, ScheduleDto, SchedulePreviewRequest } from '@revline/revenue';
import type { ProrationPreviewRequest } from './proration-preview.schema';

/**
 * OpenAPI examples: the scenario every Revline test knows (golden example G2). A customer
 * on 10 seats at 100 USD/seat/month, term 2026-01-01..2026-12-31 billed annually in advance, expands to
 * 15 seats effective 2026-03-15. The response examples are computed by the engine itself, so they are
 * always the answer the route gives.
 */
export const G2_SCHEDULE_REQUEST: SchedulePreviewRequest = {
  contract: {
    contractId: 'C-1001',
    customer: { customerId: 'CUST-42', salesforceAccountId: '001Dn00000Ab3dEIAR' },
    currency: 'USD',
    termStart: '2026-01-01',
    termEnd: '2026-12-31',
    billingFrequency: 'annual',
    billingTiming: 'advance',
    lines: [
      {
        lineId: 'L-SEATS',
        productCode: 'SEAT',
        pobId: 'seats',
        chargeType: 'recurring',
        quantity: '10',
        unitPrice: '100',
        unitPricePeriod: 'month',
        netAmount: { amountMinor: '1200000', currency: 'USD' },
        serviceStart: '2026-01-01',
        serviceEnd: '2026-12-31',
        revenueTreatment: 'ratable_daily',
      },
    ],
  },
  amendments: [
    {
      amendmentId: 'A-2001',
      amendsContractId: 'C-1001',
      amendmentType: 'expansion',
      effectiveDate: '2026-03-15',
      coTerminated: true,
      lineDeltas: [
        {
          lineId: 'L-SEATS',
          priorQuantity: '10',
          newQuantity: '15',
          priorUnitPrice: '100',
          newUnitPrice: '100',
        },
      ],
    },
  ],
};

/** G1: the same contract before the expansion, with the even-monthly convention chosen by policy. */
export const G1_EVEN_MONTHLY_REQUEST: SchedulePreviewRequest = {
  contract: G2_SCHEDULE_REQUEST.contract,
  policy: { ratableConvention: 'even_monthly' },
};

export const G2_SCHEDULE_RESPONSE: ScheduleDto = previewSchedules(G2_SCHEDULE_REQUEST);

export const G2_PRORATION_REQUEST: ProrationPreviewRequest = {
  change: {
    currency: 'USD',
    periodStart: '2026-01-01',
    periodEnd: '2026-12-31',
    effectiveDate: '2026-03-15',
    priorQuantity: '10',
    newQuantity: '15',
    priorUnitPrice: '100',
    newUnitPrice: '100',
    unitPricePeriod: 'month',
    description: 'Seat',
  },
  convention: 'actual_days',
};

export const G2_CPQ_PRORATION_REQUEST: ProrationPreviewRequest = {
  ...G2_PRORATION_REQUEST,
  convention: 'cpq_monthly_daily',
};

export const G2_PRORATION_RESPONSE: ProrationPreview = previewProration(
  G2_PRORATION_REQUEST.change,
  G2_PRORATION_REQUEST.convention,
);

export const G2_CPQ_PRORATION_RESPONSE: ProrationPreview = previewProration(
  G2_CPQ_PRORATION_REQUEST.change,
  G2_CPQ_PRORATION_REQUEST.convention,
);

/** A 400 as the routes answer it (problem+json). */
export const INVALID_CONTRACT_PROBLEM = {
  type: 'https://docs.revline.dev/problems/bad-request',
  title: 'Bad Request',
  status: 400,
  detail: 'Invalid request: amendments[0].effectiveDate: is outside the contract term 2026-01-01..2026-12-31',
  instance: '/v1/revenue/schedule-previews',
  correlationId: '0b6f2c1e-7d4a-4c1f-9a51-3e0f6c2d8b10',
  errors: [
    {
      field: 'amendments[0].effectiveDate',
      problem: 'is outside the contract term 2026-01-01..2026-12-31',
    },
  ],
};
