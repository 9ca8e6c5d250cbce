import { StripeApiError } from './stripe-error';

export type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads Stripe's form-encoded parameters (already parsed with bracket notation) with Stripe's own errors:
 * a missing, malformed or unknown parameter names itself. `end()` rejects every parameter not read.
 */
export class Params {
  private readonly seen = new Set<string>(['expand']);
  readonly raw: Json;

  constructor(
    raw: unknown,
    private readonly prefix = '',
  ) {
    this.raw = isRecord(raw) ? raw : {};
  }

  private name(key: string): string {
    return this.prefix ? `${this.prefix}[${key}]` : key;
  }

  has(key: string): boolean {
    this.seen.add(key);
    return this.raw[key] !== undefined;
  }

  string(key: string): string | undefined {
    this.seen.add(key);
    const value = this.raw[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' && typeof value !== 'number')
      throw StripeApiError.invalid(this.name(key), `Invalid string: ${this.name(key)}`);
    return String(value);
  }

  requiredString(key: string): string {
    const value = this.string(key);
    if (value === undefined || value === '') throw StripeApiError.missing(this.name(key));
    return value;
  }

  int(key: string): number | undefined {
    const value = this.string(key);
    if (value === undefined || value === '') return undefined;
    if (!/^-?\d+$/.test(value)) throw StripeApiError.invalid(this.name(key), `Invalid integer: ${value}`);
    return Number.parseInt(value, 10);
  }

  requiredInt(key: string): number {
    const value = this.int(key);
    if (value === undefined) throw StripeApiError.missing(this.name(key));
    return value;
  }

  decimal(key: string): string | undefined {
    const value = this.string(key);
    if (value === undefined || value === '') return undefined;
    if (!/^-?\d+(\.\d{1,12})?$/.test(value))
      throw StripeApiError.invalid(this.name(key), `Invalid decimal: ${value}`);
    return value;
  }

  bool(key: string): boolean | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (value !== 'true' && value !== 'false')
      throw StripeApiError.invalid(this.name(key), `Invalid boolean: ${value}`);
    return value === 'true';
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      throw StripeApiError.invalid(
        this.name(key),
        `Invalid ${this.name(key)}: must be one of ${allowed.join(', ')}`,
      );
    }
    return value as T;
  }

  /** A timestamp, or one of the words Stripe accepts in its place (`now`). */
  timestampOr<T extends string>(key: string, words: readonly T[]): number | T | undefined {
    const value = this.string(key);
    if (value === undefined || value === '') return undefined;
    if ((words as readonly string[]).includes(value)) return value as T;
    if (!/^\d+$/.test(value)) throw StripeApiError.invalid(this.name(key), `Invalid timestamp: ${value}`);
    return Number.parseInt(value, 10);
  }

  object(key: string): Params | undefined {
    this.seen.add(key);
    const value = this.raw[key];
    if (value === undefined || value === '') return undefined;
    if (!isRecord(value)) throw StripeApiError.invalid(this.name(key), `Invalid object: ${this.name(key)}`);
    return new Params(value, this.name(key));
  }

  /** Arrays arrive as `items[0][price]=…`, which qs parses as an array or, past its limit, an index-keyed object. */
  array(key: string): Params[] | undefined {
    this.seen.add(key);
    const value = this.raw[key];
    if (value === undefined) return undefined;
    if (value === '') return [];
    const entries = Array.isArray(value) ? value : isRecord(value) ? Object.values(value) : undefined;
    if (!entries) throw StripeApiError.invalid(this.name(key), `Invalid array: ${this.name(key)}`);
    return entries.map((entry, i) => new Params(entry, `${this.name(key)}[${i}]`));
  }

  stringArray(key: string): string[] | undefined {
    this.seen.add(key);
    const value = this.raw[key];
    if (value === undefined) return undefined;
    if (value === '') return [];
    const entries = Array.isArray(value) ? value : isRecord(value) ? Object.values(value) : [value];
    return entries.map(String);
  }

  /** `metadata[key]=value`; an empty value removes the key when merged. */
  metadata(key = 'metadata'): Record<string, string> | undefined {
    this.seen.add(key);
    const value = this.raw[key];
    if (value === undefined) return undefined;
    if (value === '') return {};
    if (!isRecord(value)) throw StripeApiError.invalid(this.name(key), 'Invalid metadata');
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
  }

  /** Rejects parameters nobody read, as Stripe does. */
  end(): void {
    for (const key of Object.keys(this.raw)) {
      if (!this.seen.has(key)) throw StripeApiError.unknownParam(this.name(key));
    }
  }
}

export function mergeMetadata(
  current: Record<string, string>,
  update: Record<string, string> | undefined,
): Record<string, string> {
  if (update === undefined) return current;
  if (Object.keys(update).length === 0) return {};
  const next = new Map(Object.entries(current));
  for (const [k, v] of Object.entries(update)) {
    if (v === '') next.delete(k);
    else next.set(k, v);
  }
  return Object.fromEntries(next);
}
