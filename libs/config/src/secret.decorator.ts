import 'reflect-metadata';

const SECRET_KEYS = Symbol('revline:config:secrets');
const SECRET_MINIMUMS = Symbol('revline:config:secret-minimums');

/** Outside development a secret shorter than this stops the app, unless its @Secret names another minimum. */
export const DEFAULT_SECRET_MIN_LENGTH = 16;

export interface SecretOptions {
  /** The shortest value accepted outside development (each one, for a comma-separated list). */
  minLength?: number;
}

/** Marks a config variable as secret: it is never printed, logged or echoed in an error. */
export function Secret(options: SecretOptions = {}): PropertyDecorator {
  return (target, propertyKey) => {
    const keys = (Reflect.getMetadata(SECRET_KEYS, target) as Set<string | symbol> | undefined) ?? new Set();
    keys.add(propertyKey);
    Reflect.defineMetadata(SECRET_KEYS, keys, target);
    const minimums =
      (Reflect.getMetadata(SECRET_MINIMUMS, target) as Map<string | symbol, number> | undefined) ?? new Map();
    minimums.set(propertyKey, options.minLength ?? DEFAULT_SECRET_MIN_LENGTH);
    Reflect.defineMetadata(SECRET_MINIMUMS, minimums, target);
  };
}

export function isSecret(target: object, key: string): boolean {
  const keys = Reflect.getMetadata(SECRET_KEYS, target) as Set<string | symbol> | undefined;
  return keys?.has(key) ?? false;
}

/** The secret variables of a config namespace with the minimum length of each outside development. */
export function secretMinimums(target: object): Map<string, number> {
  const minimums = Reflect.getMetadata(SECRET_MINIMUMS, target) as Map<string | symbol, number> | undefined;
  return new Map(
    [...(minimums ?? [])].filter((entry): entry is [string, number] => typeof entry[0] === 'string'),
  );
}
