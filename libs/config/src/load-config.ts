import { plainToInstance } from 'class-transformer';
import type { ValidationError } from 'class-validator';
import { validateSync } from 'class-validator';
import { isProductionEnv, productionProblems } from './production-guard';
import { isSecret } from './secret.decorator';

export type ConfigClass<T extends object> = new () => T;

/** Raised at start-up when a variable is missing or malformed; the message names every such variable. */
export class ConfigError extends Error {
  constructor(
    readonly namespace: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid configuration (${namespace}):\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

function describe(errors: ValidationError[], target: object): string[] {
  return errors.flatMap((error) => {
    const constraints = Object.values(error.constraints ?? {});
    const shown = isSecret(target, error.property) ? '(secret, not shown)' : JSON.stringify(error.value);
    const value = error.value === undefined ? 'is missing' : `was ${shown}`;
    return constraints.map((c) => `${error.property} ${value}: ${c}`);
  });
}

/** Environment values are strings; a namespace whose default is a number or boolean expects one. */
function coerce(value: string, fallback: unknown): unknown {
  if (typeof fallback === 'number' && /^-?\d+$/.test(value)) return Number.parseInt(value, 10);
  if (typeof fallback === 'boolean' && /^(true|false)$/.test(value)) return value === 'true';
  return value;
}

/**
 * Reads one config namespace from the environment. Property names are the variable names, so every message
 * names the variable; defaults are the property initialisers. Outside development (see isProductionEnv) a secret
 * that is a documented default, or shorter than its minimum, stops the app too.
 */
export function loadConfig<T extends object>(
  cls: ConfigClass<T>,
  env: Record<string, string | undefined> = process.env,
): T {
  const defaults = new cls() as Record<string, unknown>;
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) {
    const value = env[key];
    raw[key] = value === undefined || value === '' ? defaults[key] : coerce(value, defaults[key]);
  }
  const instance = plainToInstance(cls, raw);
  const errors = validateSync(instance, { forbidUnknownValues: true });
  if (errors.length > 0) throw new ConfigError(cls.name, describe(errors, instance));
  if (isProductionEnv(env)) {
    const problems = productionProblems(instance, defaults);
    if (problems.length > 0) throw new ConfigError(cls.name, problems);
  }
  return instance;
}

/** A copy safe to print: secret values replaced. */
export function redactConfig(config: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key,
      isSecret(config, key) && value !== undefined ? '[redacted]' : value,
    ]),
  );
}
