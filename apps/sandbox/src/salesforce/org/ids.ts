const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Salesforce's 18-character id: the case-sensitive 15-character id plus three characters that encode, five
 * characters at a time, which of them are upper case — so the id survives case-insensitive systems.
 */
export function toEighteenCharId(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk += 1) {
    let flags = 0;
    for (let i = 0; i < 5; i += 1) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') flags |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET.charAt(flags);
  }
  return id15 + suffix;
}

/** Accepts a 15- or 18-character id and answers the 18-character form, or undefined if it is not an id. */
export function normaliseId(value: string): string | undefined {
  if (/^[a-zA-Z0-9]{15}$/.test(value)) return toEighteenCharId(value);
  if (/^[a-zA-Z0-9]{18}$/.test(value) && toEighteenCharId(value.slice(0, 15)) === value) return value;
  return undefined;
}

/** Ids of one org: key prefix, a pod code, then a fixed-width base-62 counter, so ids sort in creation order. */
export class IdGenerator {
  private counter = 0;

  /** How many ids were handed out: kept across restarts, so an id is never handed out twice. */
  get issued(): number {
    return this.counter;
  }

  /** Continues the numbering after `issued` ids (never goes back). */
  continueAfter(issued: number): void {
    this.counter = Math.max(this.counter, issued);
  }

  next(keyPrefix: string): string {
    this.counter += 1;
    let n = this.counter;
    let digits = '';
    for (let i = 0; i < 9; i += 1) {
      digits = BASE62.charAt(n % 62) + digits;
      n = Math.floor(n / 62);
    }
    return toEighteenCharId(`${keyPrefix}5g0${digits}`);
  }
}

export const ORG_ID = toEighteenCharId('00D5g000004SbxA');
