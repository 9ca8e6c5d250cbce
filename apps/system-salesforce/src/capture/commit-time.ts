/**
 * The commit time of the order as read: the change event's, to the millisecond, when it is the commit whose
 * SystemModstamp (kept to the second) the order carries; the SystemModstamp when the order has changed since.
 */
export function commitTime(changeStamp: string, eventCommit: string | undefined): string {
  if (eventCommit === undefined) return changeStamp;
  const second = (iso: string) => Math.floor(Date.parse(iso) / 1000);
  return second(eventCommit) === second(changeStamp) ? new Date(eventCommit).toISOString() : changeStamp;
}
