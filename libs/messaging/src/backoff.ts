/**
 * Exponential backoff with "equal jitter" (AWS architecture blog, "Exponential Backoff And Jitter"): a random delay
 * in the upper half of [base, min(cap, base * 2^(attempt-1))], never under the base. A herd of retries still spreads
 * out, and the delays grow however the dice fall: a job's eight attempts span at least 64 times the base (32 s at
 * 500 ms), so an outage shorter than that cannot run them out. With the whole range (full jitter) they could all
 * fall within 7 times the base.
 */
export function backoffWithJitter(
  attempt: number,
  baseMs: number,
  capMs = 60_000,
  random = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  const floor = Math.min(ceiling, Math.max(baseMs, ceiling / 2));
  return Math.round(floor + random() * (ceiling - floor));
}
