import { DomainError } from './problem-details.filter';

/**
 * The opaque `cursor` of a keyset-paged list: the last item's sort key, base64url-encoded, passed back as the
 * `nextCursor` of a page. A key of several parts (a time and an id) is joined with a space.
 */
export function encodeCursor(...key: string[]): string {
  return Buffer.from(key.join(' '), 'utf8').toString('base64url');
}

/**
 * The key parts a `cursor` stands for, or a 400 naming `cursor` when it is not one `encodeCursor` made: as many
 * parts as `checks`, each accepted by its check.
 */
export function decodeCursor(
  cursor: string,
  checks: ReadonlyArray<(part: string) => boolean> = [() => true],
): string[] {
  const value = Buffer.from(cursor, 'base64url').toString('utf8');
  const key = checks.length === 1 ? [value] : value.split(' ');
  const valid =
    value.length > 0 &&
    encodeCursor(value) === cursor &&
    key.length === checks.length &&
    key.every((part, i) => part.length > 0 && (checks[i]?.(part) ?? false));
  if (!valid) {
    throw new DomainError(400, 'cursor is not one this API returned', [
      { field: 'cursor', problem: 'must be the nextCursor of a previous page' },
    ]);
  }
  return key;
}
