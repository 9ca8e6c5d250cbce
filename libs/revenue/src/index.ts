export { computeSchedules } from './compute-schedules';
export {
  previewSchedules,
  parseSchedulePreviewRequest,
  SchedulePreviewRequestSchema,
  PREVIEW_MAX_ITEMS,
  type SchedulePreviewRequest,
} from './schedule-preview';
export { toScheduleDto, type ScheduleDto } from './schedule/dto';
export type {
  BalancePeriod,
  ObligationSchedule,
  PeriodAmount,
  ScheduleResult,
  ScheduleTotals,
  ScheduleVersion,
} from './schedule/result';
export type { PeriodChange } from './schedule/versions';
export type { RevenueContract } from './input/contract-input';
export type { RevenueAmendment } from './modifications/amendment-input';
export type { RevenueUsage } from './schedule/usage-obligations';
export type { ModificationRecord } from './modifications/apply-amendment';
export { decideFromFacts, decideTreatment, type TreatmentDecision } from './modifications/classify';
export { RevenueInputError } from './core/errors';
export {
  DEFAULT_POLICY,
  resolvePolicy,
  type RevenuePolicy,
  type ResolvedPolicy,
  type RampRecognition,
  type RatableConvention,
} from './core/policy';
export {
  previewProration,
  cpqProrateMultiplier,
  type ProrationChange,
  type ProrationLine,
  type ProrationPreview,
} from './proration/preview';
export {
  PRORATION_CONVENTIONS,
  isProrationConvention,
  monthsUnder,
  remainingFraction,
  type ProrationConvention,
} from './proration/conventions';
export { computeOverage, type OverageInput } from './recognition/usage';
export { allocateByWeights, splitCumulative } from './recognition/allocation';
export type { RecognitionMethod } from './recognition/method-curve';
export {
  contractPosition,
  contractRollForward,
  type ContractMonth,
  type ContractPosition,
} from './balances/contract-asset';
export { billingPeriodOn, firstCycleDateOn } from './billing/periods';
export { stubCharge, type StubItem } from './billing/stub-charge';
export {
  FISCAL_CALENDARS,
  periodGrid,
  periodOfDay,
  periodOfKey,
  type FiscalCalendar,
  type PeriodGrid,
  type PeriodRange,
} from './core/period-grid';
