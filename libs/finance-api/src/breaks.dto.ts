import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MoneyViewDto, moneyView } from './money-view';

/** What a break's expected, actual and difference count. */
export const BREAK_UNITS = [
  'money',
  'quantity',
  'count',
  'date',
  'currency',
  'minutes',
  'reference',
] as const;
export type BreakUnit = (typeof BREAK_UNITS)[number];

/** The systems on each side of a checkpoint: expected is the side the other should follow. */
export const CHECKPOINT_SIDES: Record<string, { expected: string; actual: string }> = {
  'salesforce-billing': { expected: 'salesforce', actual: 'billing' },
  'billing-erp': { expected: 'billing', actual: 'erp' },
  'contract-revenue': { expected: 'revline', actual: 'erp' },
  lineage: { expected: 'revline', actual: 'revline' },
};

export class BreakSideDto {
  @ApiProperty({ enum: ['salesforce', 'billing', 'erp', 'revline'], example: 'billing' })
  system: string;

  @ApiProperty({
    example: 'in_1Q2c3D4e5F6g7H8i',
    nullable: true,
    type: String,
    description: "The record's id in that system (null when it has none: missing there)",
  })
  recordId: string | null;
}

export class BreakSidesDto {
  @ApiProperty({ type: BreakSideDto })
  expected: BreakSideDto;

  @ApiProperty({ type: BreakSideDto })
  actual: BreakSideDto;
}

export class BreakMoneyDto {
  @ApiPropertyOptional({ type: MoneyViewDto, nullable: true })
  expected: MoneyViewDto | null;

  @ApiPropertyOptional({ type: MoneyViewDto, nullable: true })
  actual: MoneyViewDto | null;

  @ApiPropertyOptional({ type: MoneyViewDto, nullable: true })
  difference: MoneyViewDto | null;
}

export class BreakQuantityDto {
  @ApiPropertyOptional({ example: '10', nullable: true, type: String })
  expected: string | null;

  @ApiPropertyOptional({ example: '12', nullable: true, type: String })
  actual: string | null;

  @ApiPropertyOptional({ example: '2', nullable: true, type: String })
  difference: string | null;
}

/** A break's labelled values: exactly one of money (unit money) and quantity (unit quantity) is set, or neither. */
export interface BreakValues {
  money: BreakMoneyDto | null;
  quantity: BreakQuantityDto | null;
}

export function breakValues(
  unit: string,
  currency: string | null,
  raw: { expected: string | null; actual: string | null; difference: string | null },
): BreakValues {
  if (unit === 'quantity')
    return {
      money: null,
      quantity: { expected: raw.expected, actual: raw.actual, difference: raw.difference },
    };
  if (unit !== 'money' || currency === null) return { money: null, quantity: null };
  return {
    money: {
      expected: moneyView(raw.expected, currency),
      actual: moneyView(raw.actual, currency),
      difference: moneyView(raw.difference, currency),
    },
    quantity: null,
  };
}

export function breakSides(
  checkpoint: string,
  expectedRecordId: string | null,
  actualRecordId: string | null,
): BreakSidesDto {
  const systems = CHECKPOINT_SIDES[checkpoint] ?? { expected: 'revline', actual: 'revline' };
  return {
    expected: { system: systems.expected, recordId: expectedRecordId },
    actual: { system: systems.actual, recordId: actualRecordId },
  };
}

/**
 * The fields a break carries beside its raw values, for both process-q2c's and the experience API's break DTOs.
 */
export class BreakDetailsDto {
  @ApiPropertyOptional({ example: '2026-03', nullable: true, type: String, description: 'null: about now' })
  period: string | null;

  @ApiPropertyOptional({ example: 'cus_NffrFeUfNV2Hib', nullable: true, type: String })
  customerId: string | null;

  @ApiPropertyOptional({ example: 'USD', nullable: true, type: String, description: 'Of money values' })
  currency: string | null;

  @ApiProperty({
    enum: BREAK_UNITS,
    example: 'money',
    description:
      'What expected, actual and difference count: money (integer minor units of currency), quantity (seats, units), count (copies), date (difference in days), currency (codes), minutes, reference (a record id)',
  })
  unit: string;

  @ApiProperty({ type: BreakSidesDto, description: "Both sides' systems and record ids" })
  sides: BreakSidesDto;

  @ApiPropertyOptional({
    enum: ['expected', 'actual'],
    nullable: true,
    type: String,
    example: 'actual',
    description: 'The side that changed since both last agreed; null when they never agreed (never sent)',
  })
  changedSide: string | null;

  @ApiPropertyOptional({ type: BreakMoneyDto, nullable: true, description: 'Set when unit is money' })
  money: BreakMoneyDto | null;

  @ApiPropertyOptional({ type: BreakQuantityDto, nullable: true, description: 'Set when unit is quantity' })
  quantity: BreakQuantityDto | null;
}

/** Close readiness: the open breaks of one checkpoint and category, with the contracts and runs behind them. */
export class OpenBreakGroupDto {
  @ApiProperty({ example: 'billing-erp' })
  checkpoint: string;

  @ApiProperty({ example: 'missing_in_erp' })
  category: string;

  @ApiProperty({ example: 1 })
  count: number;

  @ApiProperty({
    example: ['801Dn00000Booking1'],
    type: [String],
    description: 'The contracts the breaks are on',
  })
  contractIds: string[];

  @ApiProperty({
    example: ['019ac5a0-7f4e-7c1a-9e55-1f2d3c4b5a69'],
    type: [String],
    description: 'The runs that last saw them',
  })
  runIds: string[];
}
