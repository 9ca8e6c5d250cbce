import { secretMinimums } from './secret.decorator';

/**
 * The secrets anyone can read in Revline's documentation: the sandbox's credentials (the README's) and the
 * placeholder keys docker-compose once shipped. Outside development none of them is accepted for any secret.
 */
export const DOCUMENTED_DEFAULT_SECRETS: readonly string[] = [
  'revline-sandbox-secret',
  'sandbox',
  'sk_test_revline_sandbox',
  'whsec_revline_sandbox',
  'revline-consumer-secret',
  'revline-token-secret',
  'change-me-to-a-long-random-admin-key',
  'change-me-to-a-long-random-q2c-service-key',
  'change-me-to-a-long-random-experience-key',
];

/** A placeholder the way compose files and examples write them. */
const PLACEHOLDER = /^change-?me/i;

/** A config namespace with checks of its own that only hold outside development (see sandboxCredentialsAt). */
export interface ProductionChecked {
  productionProblems(): string[];
}

function isProductionChecked(config: object): config is ProductionChecked {
  return typeof (config as Partial<ProductionChecked>).productionProblems === 'function';
}

/** Outside development: NODE_ENV=production, or REVLINE_ENV set to anything but `development`. */
export function isProductionEnv(env: Record<string, string | undefined>): boolean {
  const revlineEnv = env.REVLINE_ENV?.trim();
  return env.NODE_ENV === 'production' || (Boolean(revlineEnv) && revlineEnv !== 'development');
}

function parts(value: string): string[] {
  return value.split(',').filter(Boolean);
}

function secretProblem(
  key: string,
  value: string,
  classDefault: unknown,
  minimum: number,
): string | undefined {
  const defaults = new Set([
    ...DOCUMENTED_DEFAULT_SECRETS,
    ...(typeof classDefault === 'string' ? parts(classDefault) : []),
  ]);
  if (parts(value).some((part) => defaults.has(part) || PLACEHOLDER.test(part))) {
    return `${key} is a documented default or placeholder (anyone can read it): set a secret of your own`;
  }
  if (parts(value).some((part) => part.length < minimum)) {
    return `${key} is shorter than its minimum of ${String(minimum)} characters outside development`;
  }
  return undefined;
}

/**
 * What stops a namespace from starting outside development: a secret that is a documented default or placeholder,
 * a secret shorter than its minimum, and the namespace's own checks (sandbox credentials at a real vendor host).
 */
export function productionProblems(config: object, defaults: object): string[] {
  const problems: string[] = [];
  for (const [key, minimum] of secretMinimums(config)) {
    const value = (config as Record<string, unknown>)[key];
    if (typeof value !== 'string') continue;
    const problem = secretProblem(key, value, (defaults as Record<string, unknown>)[key], minimum);
    if (problem) problems.push(problem);
  }
  return isProductionChecked(config) ? [...problems, ...config.productionProblems()] : problems;
}

/**
 * The sandbox's credentials sent to a real vendor: each of `keys` still at its default (the sandbox's) while
 * `hostVariable` names a host of the vendor's own.
 */
export function sandboxCredentialsAt(
  config: object,
  target: { variable: string; host: string; vendor: string; realHost: RegExp },
  keys: readonly string[],
): string[] {
  if (!target.realHost.test(target.host.toLowerCase())) return [];
  const defaults = new (config.constructor as new () => Record<string, unknown>)();
  return keys
    .filter(
      (key) => defaults[key] !== undefined && (config as Record<string, unknown>)[key] === defaults[key],
    )
    .map(
      (key) =>
        `${key} is the sandbox's default but ${target.variable} points at ${target.host}, a real ${target.vendor} host: set the account's own`,
    );
}
