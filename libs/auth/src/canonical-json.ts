/**
 * The JSON Canonicalization Scheme (RFC 8785): object members sorted by their names' UTF-16 code units, no
 * whitespace, numbers and strings serialised as ECMAScript's JSON.stringify does (which is what the RFC specifies).
 * Anyone can recompute an audit row's hash from the stored row with any JCS implementation.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return primitive(value);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([name, member]) => `${JSON.stringify(name)}:${canonicalJson(member)}`).join(',')}}`;
}

function primitive(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new TypeError(`RFC 8785 has no representation for ${String(value)}`);
  }
  if (
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    value === null
  ) {
    return JSON.stringify(value);
  }
  throw new TypeError(`RFC 8785 has no representation for a ${typeof value}`);
}
