/** T with every property, at any depth, required and writable. */
type Full<T> = T extends readonly (infer U)[]
  ? Full<U>[]
  : T extends object
    ? { -readonly [K in keyof T]-?: Full<T[K]> }
    : T;

type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * `true` only when A and B describe the same JSON shape: each assignable to the other (so the same
 * required properties and types), and still so with every property made required (so the same optional
 * ones). Keeps the documented zod schemas and the engine's types from drifting apart.
 */
export type Same<A, B> = Mutual<A, B> extends true ? Mutual<Full<A>, Full<B>> : false;
