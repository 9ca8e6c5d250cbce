import { Injectable } from '@nestjs/common';
import { MAX_ABS_MINOR } from '@revline/canonical';
import { previewSchedules } from '@revline/revenue';
import type { ScheduleDto, SchedulePreviewRequest } from '@revline/revenue';
import { badRequest, withFieldProblems } from './revenue-problems';

/** The first amount of the result (a `…Minor` string anywhere in it) beyond ±10^15 minor units. */
function amountOutOfBound(value: unknown, path: string): { path: string; amount: string } | undefined {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = amountOutOfBound(item, `${path}[${String(i)}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = path === '' ? key : `${path}.${key}`;
    if (key.endsWith('Minor') && typeof item === 'string') {
      const amount = BigInt(item);
      if (amount > MAX_ABS_MINOR || amount < -MAX_ABS_MINOR) return { path: at, amount: item };
    } else {
      const found = amountOutOfBound(item, at);
      if (found) return found;
    }
  }
  return undefined;
}

/** Where a sum beyond the bound comes from: the booked lines, else the amendments, else the usage. */
function overflowingField(request: SchedulePreviewRequest): string {
  const booked = request.contract.lines.reduce((sum, line) => sum + BigInt(line.netAmount.amountMinor), 0n);
  if (booked > MAX_ABS_MINOR) return 'contract.lines';
  return (request.amendments ?? []).length > 0 ? 'amendments' : 'usage';
}

/**
 * The revenue schedules of a contract after its amendments, with deferred balances and the modification
 * treatment of each amendment. Pure: nothing is stored. The request has passed the canonical schema; the
 * engine's own checks (amendment inside the term, prior quantities, amounts within bounds) become 400s
 * naming the field. Each input amount is bounded on its own; a total that adds up beyond ±10^15 minor
 * units (no canonical Money can carry it) is refused the same way rather than answered.
 */
@Injectable()
export class PreviewSchedules {
  execute(request: SchedulePreviewRequest): ScheduleDto {
    const result = withFieldProblems(() => previewSchedules(request));
    const overflow = amountOutOfBound(result, '');
    if (overflow) {
      throw badRequest([
        {
          field: overflowingField(request),
          problem: `the amounts add up to ${overflow.amount} minor units (${overflow.path}), beyond the bound of 10^15`,
        },
      ]);
    }
    return result;
  }
}
