import { divRoundHalfUp } from '@revline/canonical';
import { CALENDAR_GRID, type PeriodGrid } from '../core/period-grid';

/**
 * A recognition curve gives revenue recognised to date, in minor units, at the end of any day.
 * Every curve reaches `total` exactly on its last day, and a period's revenue is the difference
 * between two cumulative values, so periods always sum to the total.
 */
export interface Curve {
  readonly total: bigint;
  cumAt(day: number): bigint;
}

/** Ratable by actual days, end inclusive: round_half_up(total × elapsedDays / termDays). */
export class RatableDailyCurve implements Curve {
  private readonly days: bigint;

  constructor(
    readonly total: bigint,
    private readonly start: number,
    private readonly end: number,
  ) {
    this.days = BigInt(end - start + 1);
  }

  cumAt(day: number): bigint {
    if (day < this.start) {
      return 0n;
    }
    if (day >= this.end) {
      return this.total;
    }
    return divRoundHalfUp(this.total * BigInt(day - this.start + 1), this.days);
  }
}

/** The same amount each month (period of the grid) the service touches; a month counts when it ends. */
export class EvenMonthlyCurve implements Curve {
  private readonly firstMonth: number;
  private readonly months: bigint;

  constructor(
    readonly total: bigint,
    start: number,
    private readonly end: number,
    private readonly grid: PeriodGrid = CALENDAR_GRID,
  ) {
    this.firstMonth = grid.indexOf(start);
    this.months = BigInt(grid.indexOf(end) - this.firstMonth + 1);
  }

  cumAt(day: number): bigint {
    if (day >= this.end) {
      return this.total;
    }
    const m = this.grid.indexOf(day);
    const done = m - this.firstMonth + (day === this.grid.end(m) ? 1 : 0);
    return done <= 0 ? 0n : divRoundHalfUp(this.total * BigInt(done), this.months);
  }
}

/**
 * Monthly with first and last months prorated: a full month weighs 1, a partial month
 * serviceDays / daysInMonth; within a month, days accrue evenly. Weights are kept exact in units of
 * 1/377580 (the LCM of 28, 29, 30 and 31, which 35 and 42, the fiscal periods of five and six weeks,
 * divide too). Months are the periods of the grid.
 */
const L = 377_580;

export class MonthlyProratedCurve implements Curve {
  private readonly totalWeight: bigint;

  constructor(
    readonly total: bigint,
    private readonly start: number,
    private readonly end: number,
    private readonly grid: PeriodGrid = CALENDAR_GRID,
  ) {
    this.totalWeight = BigInt(this.weightTo(end));
  }

  private weightTo(day: number): number {
    let weight = 0;
    const last = this.grid.indexOf(day);
    for (let m = this.grid.indexOf(this.start); m <= last; m++) {
      const mEnd = this.grid.end(m);
      const mStart = this.grid.end(m - 1) + 1;
      const dim = mEnd - mStart + 1;
      const from = Math.max(mStart, this.start);
      const to = Math.min(mEnd, day, this.end);
      weight += ((to - from + 1) * L) / dim;
    }
    return weight;
  }

  cumAt(day: number): bigint {
    if (day < this.start) {
      return 0n;
    }
    if (day >= this.end) {
      return this.total;
    }
    return divRoundHalfUp(this.total * BigInt(this.weightTo(day)), this.totalWeight);
  }
}

/** Everything on the delivery day. */
export class PointInTimeCurve implements Curve {
  constructor(
    readonly total: bigint,
    private readonly at: number,
  ) {}

  cumAt(day: number): bigint {
    return day >= this.at ? this.total : 0n;
  }
}

/** Amounts earned on given days (usage in its period of use). */
export class StepCurve implements Curve {
  readonly total: bigint;

  constructor(private readonly steps: readonly { readonly day: number; readonly amount: bigint }[]) {
    this.total = steps.reduce((s, x) => s + x.amount, 0n);
  }

  cumAt(day: number): bigint {
    let sum = 0n;
    for (const s of this.steps) {
      if (s.day <= day) {
        sum += s.amount;
      }
    }
    return sum;
  }
}

/** Sum of curves (ramp segments recognised as billed). */
export class SumCurve implements Curve {
  readonly total: bigint;

  constructor(private readonly parts: readonly Curve[]) {
    this.total = parts.reduce((s, c) => s + c.total, 0n);
  }

  cumAt(day: number): bigint {
    let sum = 0n;
    for (const c of this.parts) {
      sum += c.cumAt(day);
    }
    return sum;
  }
}

export const ZERO_CURVE: Curve = { total: 0n, cumAt: () => 0n };
