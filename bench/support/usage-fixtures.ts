import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { DataSource } from 'typeorm';

/**
 * Contracts usage can be reported against, as fixtures: completed booking sagas with a billing customer, written
 * straight into q2c.sagas. Returns their ids (`801<prefix>00000`, …).
 */
export async function seedUsageContracts(db: DataSource, prefix: string, count: number): Promise<string[]> {
  const contracts = Array.from({ length: count }, (_, i) => `801${prefix}${String(i).padStart(5, '0')}`);
  for (const [i, contractId] of contracts.entries()) {
    await db.query(
      `INSERT INTO "q2c"."sagas" ("saga_id", "event_id", "kind", "contract_id", "status", "step", "correlation_id",
         "committed_at", "data", "completed_at")
       VALUES ($1, $2, 'booking', $3, 'completed', 'done', $4, now(), $5, now())`,
      [
        randomUUID(),
        randomUUID(),
        contractId,
        `${prefix}-${String(i)}`,
        JSON.stringify({ billingCustomerId: `cus_${prefix}_${String(i)}`, invoices: [], creditNotes: [] }),
      ],
    );
  }
  return contracts;
}

/** The usage event `i` of a run named `prefix`, spread over the contracts, in March 2026. */
export const usageEvent = (prefix: string, i: number, contracts: readonly string[]) => ({
  identifier: `${prefix}-${String(i)}`,
  contractId: contracts[i % contracts.length],
  productCode: 'API-CALLS',
  quantity: String(1 + (i % 997)),
  occurredAt: `2026-03-${String(1 + (i % 28)).padStart(2, '0')}T12:${String(i % 60).padStart(2, '0')}:00Z`,
});

/**
 * Events `first`..`first + count - 1` as JSON lines, generated as they are read (a body of any size in little
 * memory), `perChunk` lines a chunk.
 */
export function usageLinesStream(
  prefix: string,
  first: number,
  count: number,
  contracts: readonly string[],
  perChunk = 1_000,
): Readable {
  let next = first;
  const end = first + count;
  return new Readable({
    read() {
      if (next >= end) {
        this.push(null);
        return;
      }
      const lines: string[] = [];
      for (const stop = Math.min(end, next + perChunk); next < stop; next += 1)
        lines.push(JSON.stringify(usageEvent(prefix, next, contracts)));
      this.push(`${lines.join('\n')}\n`);
    },
  });
}
