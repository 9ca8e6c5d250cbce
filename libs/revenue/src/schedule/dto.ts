import type { ScheduleResult } from './result';

type Jsonify<T> = T extends bigint
  ? string
  : T extends (infer U)[]
    ? Jsonify<U>[]
    : T extends object
      ? { [K in keyof T]: Jsonify<T[K]> }
      : T;

/** The schedule result as JSON-safe data: every bigint amount becomes a decimal integer string. */
export type ScheduleDto = Jsonify<ScheduleResult>;

function convert(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value.toString();
  }
  if (Array.isArray(value)) {
    return value.map(convert);
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = convert(v);
    }
    return out;
  }
  return value;
}

/** Maps a ScheduleResult to its JSON form (amounts as strings of minor units). */
export function toScheduleDto(result: ScheduleResult): ScheduleDto {
  return convert(result) as ScheduleDto;
}
