import type { Type } from '@nestjs/common';
import { ConfigError, HttpConfig, loadConfig } from '@revline/config';
import { initTracing, TracingConfigError } from '@revline/observability';
import type { HttpAppSpec } from './create-http-app';
import { createHttpApp, listenAs } from './create-http-app';
import { closeOnSignals } from './shutdown';

/** The port an app listens on: its own variable (`PROCESS_Q2C_PORT`), or its default. */
export function resolvePort(
  spec: HttpAppSpec,
  env: Record<string, string | undefined> = process.env,
): number {
  const raw = env[spec.port.variable];
  if (raw === undefined || raw === '') return spec.port.default;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535) {
    throw new ConfigError(spec.name, [
      `${spec.port.variable} was ${JSON.stringify(raw)}: must be a port number from 1 to 65535`,
    ]);
  }
  return port;
}

/**
 * What every app's main.ts calls: build, listen, and on a start-up failure print one clear message and exit
 * non-zero (a bad config names its variables; nothing is left half-started).
 */
export async function bootstrapHttpApp(module: Type, spec: HttpAppSpec): Promise<void> {
  try {
    // First of all: the spans of everything the app does as it starts have their provider.
    if (spec.traced !== false) initTracing(spec.name);
    const port = resolvePort(spec);
    const app = await createHttpApp(module, spec);
    closeOnSignals(() => app.close());
    await listenAs(app, spec, port, loadConfig(HttpConfig).HOST);
    process.stdout.write(
      `${JSON.stringify({ level: 30, time: new Date().toISOString(), app: spec.name, msg: `${spec.name} listening on http://127.0.0.1:${port} (docs at /docs)` })}\n`,
    );
  } catch (error) {
    exitOnStartupError(spec.name, error);
  }
}

export function exitOnStartupError(name: string, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${name} could not start: ${message}\n`);
  if (
    !(error instanceof ConfigError || error instanceof TracingConfigError) &&
    error instanceof Error &&
    error.stack
  )
    process.stderr.write(`${error.stack}\n`);
  process.exit(1);
}
