import { createHash } from 'node:crypto';

/** NetSuite (and most ERPs) accept external ids of letters, digits, `_` and `-` only. */
export const ERP_EXTERNAL_ID = /^[A-Za-z0-9_-]{1,120}$/;

/**
 * Revline's key for a record as an ERP external id, deterministically: a key already made of allowed characters
 * (and short enough) is kept as it is; any other key keeps its allowed characters and gains a hash of the
 * original, so two different keys never meet and the same key always gives the same id.
 */
export function toErpExternalId(key: string): string {
  if (ERP_EXTERNAL_ID.test(key)) return key;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 16);
  const kept = key.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 100);
  return `${kept}_${hash}`;
}

/**
 * An id for a tuple of keys: readable parts, then a hash of the exact tuple, so ("A-B", "C") and ("A", "B-C")
 * never share an id however their parts are spelt.
 */
function tupleId(prefix: string, parts: readonly string[]): string {
  const hash = createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 12);
  const readable = parts
    .join('-')
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .slice(0, 90);
  return `${prefix}-${readable}-${hash}`;
}

/** The revenue journal of one contract, obligation, period and schedule version. */
export function revenueJournalExternalId(
  contractId: string,
  obligationId: string,
  period: string,
  scheduleVersion: number,
): string {
  return tupleId('rlrj', [contractId, obligationId, period, `v${scheduleVersion}`]);
}

/** The revenue schedule record of one contract, obligation and schedule version. */
export function revenueScheduleExternalId(
  contractId: string,
  obligationId: string,
  scheduleVersion: number,
): string {
  return tupleId('rlrs', [contractId, obligationId, `v${scheduleVersion}`]);
}
