import { Logger } from '@nestjs/common';
import { shutdownTracing } from '@revline/observability';

type Closer = () => Promise<void>;

const closers: Closer[] = [];
let shuttingDown = false;
const GRACE_MS = Number(process.env.SHUTDOWN_GRACE_MS ?? 25_000);

async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  const logger = new Logger('Shutdown');
  logger.log(`${signal} received: closing (workers finish or release their jobs, connections close)`);
  const timer = setTimeout(() => {
    logger.error(`Still closing after ${GRACE_MS} ms; exiting anyway`);
    process.exit(1);
  }, GRACE_MS);
  timer.unref();
  const results = await Promise.allSettled(closers.map((close) => close()));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  // The spans of the last jobs and requests leave before the process does.
  await shutdownTracing();
  for (const failure of failed) logger.error(`Close failed: ${String(failure.reason)}`);
  process.exit(failed.length > 0 ? 1 : 0);
}

/**
 * Closes every app of this process on SIGTERM or SIGINT (Nest's shutdown hooks run in `close`), then exits 0.
 * One coordinator per process, so the sandbox's three apps all close before it exits.
 */
export function closeOnSignals(close: Closer): void {
  if (closers.length === 0) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, (s) => void shutdown(s));
  }
  closers.push(close);
}
