import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { HttpAppSpec } from '@revline/http';
import { createHttpApp, listenAs } from '@revline/http';
import { randomBytes } from 'node:crypto';

/** Rate limits no suite or bench reaches, for environments that are not about them. */
export const UNLIMITED_RATES: Readonly<Record<string, string>> = {
  RATE_LIMIT_PER_MINUTE: '10000000',
  RATE_LIMIT_UNAUTHENTICATED_PER_MINUTE: '10000000',
  RATE_LIMIT_EXPORTS_PER_MINUTE: '10000000',
  RATE_LIMIT_RECONCILIATION_STARTS_PER_MINUTE: '10000000',
};

export interface TestApp {
  app: NestFastifyApplication;
  /** `http://127.0.0.1:<port>`: a real listening server, for supertest or a vendor SDK. */
  url: string;
  close(): Promise<void>;
}

/**
 * Boots an app the way main.ts does (same HTTP runtime, same modules) on a free port. Queue keys get a prefix of
 * their own so suites never share jobs. Environment variables are set before the app reads its config.
 */
export async function createTestApp(
  module: Type,
  spec: HttpAppSpec,
  env: Record<string, string> = {},
): Promise<TestApp> {
  process.env.QUEUE_PREFIX ??= `test-${randomBytes(4).toString('hex')}`;
  process.env.LOG_LEVEL ??= 'warn';
  // Suites send far more than a person would: limits apply where a suite sets them (the rate-limit specs).
  for (const [variable, value] of Object.entries(UNLIMITED_RATES)) process.env[variable] ??= value;
  Object.assign(process.env, env);
  const app = await createHttpApp(module, spec);
  await listenAs(app, spec, 0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
