import 'reflect-metadata';

const SECRET_KEYS = Symbol('revline:config:secrets');

/** Marks a config variable as secret: it is never printed, logged or echoed in an error. */
export function Secret(): PropertyDecorator {
  return (target, propertyKey) => {
    const keys = (Reflect.getMetadata(SECRET_KEYS, target) as Set<string | symbol> | undefined) ?? new Set();
    keys.add(propertyKey);
    Reflect.defineMetadata(SECRET_KEYS, keys, target);
  };
}

export function isSecret(target: object, key: string): boolean {
  const keys = Reflect.getMetadata(SECRET_KEYS, target) as Set<string | symbol> | undefined;
  return keys?.has(key) ?? false;
}
