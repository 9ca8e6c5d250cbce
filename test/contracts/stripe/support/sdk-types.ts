import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ts from 'typescript';

/**
 * The stripe SDK's own type declarations (the pinned version in node_modules), read with the TypeScript compiler so
 * a request Revline actually sent can be checked field by field against what the SDK documents: a key the
 * parameters interface does not declare, a value outside a documented enum, or a list where an object is expected,
 * is reported with its path.
 */
const sdkDir = dirname(createRequire(join(process.cwd(), 'package.json')).resolve('stripe'));

/** Where each parameters interface is declared, relative to the SDK's `resources/`. */
const DECLARED_IN: Record<string, string> = {
  CustomerCreateParams: 'Customers.d.ts',
  PriceCreateParams: 'Prices.d.ts',
  SubscriptionCreateParams: 'Subscriptions.d.ts',
  SubscriptionUpdateParams: 'Subscriptions.d.ts',
  SubscriptionCancelParams: 'Subscriptions.d.ts',
  SubscriptionScheduleCreateParams: 'SubscriptionSchedules.d.ts',
  SubscriptionScheduleUpdateParams: 'SubscriptionSchedules.d.ts',
  SubscriptionScheduleCancelParams: 'SubscriptionSchedules.d.ts',
  CreditNoteCreateParams: 'CreditNotes.d.ts',
  MeterEventCreateParams: 'Billing/MeterEvents.d.ts',
};

export type ParamsInterface = keyof typeof DECLARED_IN;

let cached: { program: ts.Program; checker: ts.TypeChecker } | undefined;

function compiler() {
  if (!cached) {
    const files = [...new Set(Object.values(DECLARED_IN))].map((file) => join(sdkDir, 'resources', file));
    const program = ts.createProgram(files, { noEmit: true, skipLibCheck: true, types: [] });
    cached = { program, checker: program.getTypeChecker() };
  }
  return cached;
}

function interfaceType(name: ParamsInterface): ts.Type {
  const { program, checker } = compiler();
  const file = program.getSourceFile(join(sdkDir, 'resources', DECLARED_IN[name]));
  // Top level, or inside a namespace (`Billing.MeterEventCreateParams`).
  const find = (node: ts.Node): ts.InterfaceDeclaration | undefined =>
    ts.isInterfaceDeclaration(node) && node.name.text === name ? node : ts.forEachChild(node, find);
  const declaration = file ? find(file) : undefined;
  if (!declaration) throw new Error(`The stripe SDK declares no ${name}`);
  return checker.getTypeAtLocation(declaration.name);
}

/** Every way `value` departs from the SDK's `name` interface; none when it conforms. */
export function undocumented(name: ParamsInterface, value: unknown): string[] {
  return check(value, interfaceType(name), name);
}

function check(value: unknown, type: ts.Type, path: string): string[] {
  const candidates = type.isUnion() ? type.types : [type];
  if (value === null)
    return candidates.some((t) => t.flags & ts.TypeFlags.Null) ? [] : [`${path}: null is not documented`];
  // An enum is its listed values: the SDK's `OtherString` beside them only tells a reader to expect newer ones.
  const listed = candidates.filter((t) => t.isStringLiteral());
  if (
    typeof value === 'string' &&
    listed.length > 0 &&
    !candidates.some((t) => t.flags & ts.TypeFlags.String)
  )
    return listed.some((t) => t.isStringLiteral() && t.value === value)
      ? []
      : [`${path}: '${value}' is not a documented value`];
  let first: string[] | undefined;
  for (const candidate of candidates) {
    const problems = checkOne(value, candidate, path);
    if (problems.length === 0) return [];
    // An object's own problems say more than "not a string here".
    if (!first || (typeof value === 'object' && candidate.flags & ts.TypeFlags.Object)) first = problems;
  }
  return first ?? [`${path}: no documented type`];
}

function checkOne(value: unknown, type: ts.Type, path: string): string[] {
  const { checker } = compiler();
  const flags = type.flags;
  if (flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return [];
  switch (typeof value) {
    case 'string':
      // `OtherString` (string & {}) stands for enum values newer than the SDK.
      if (flags & ts.TypeFlags.String) return [];
      if (type.isIntersection() && type.types.some((t) => t.flags & ts.TypeFlags.String)) return [];
      if (type.isStringLiteral())
        return type.value === value ? [] : [`${path}: '${value}' is not a documented value`];
      // The SDK types decimal amounts as its Decimal and form-encodes a decimal string just the same.
      if (type.aliasSymbol?.getName() === 'Decimal' && /^-?\d+(\.\d+)?$/.test(value)) return [];
      return [`${path}: a string is not documented here`];
    case 'number':
      if (flags & ts.TypeFlags.Number) return [];
      if (type.isNumberLiteral())
        return type.value === value ? [] : [`${path}: ${String(value)} is not a documented value`];
      return [`${path}: a number is not documented here`];
    case 'boolean':
      if (flags & ts.TypeFlags.BooleanLiteral)
        return checker.typeToString(type) === String(value)
          ? []
          : [`${path}: ${String(value)} is not documented`];
      return [`${path}: a boolean is not documented here`];
    case 'object': {
      if (value === null) return [`${path}: null is not documented`];
      if (Array.isArray(value)) {
        if (!checker.isArrayType(type)) return [`${path}: a list is not documented here`];
        const [element] = checker.getTypeArguments(type as ts.TypeReference);
        return value.flatMap((v: unknown, i) => check(v, element, `${path}[${String(i)}]`));
      }
      if (!(flags & ts.TypeFlags.Object) || checker.isArrayType(type))
        return [`${path}: an object is not documented here`];
      const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
      return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
        const property = type.getProperty(key);
        if (property) return check(v, checker.getTypeOfSymbol(property), `${path}.${key}`);
        if (index) return check(v, index.type, `${path}.${key}`);
        return [`${path}.${key} is not documented`];
      });
    }
    case 'undefined':
    case 'bigint':
    case 'function':
    case 'symbol':
      return [`${path}: a ${typeof value} is not documented`];
  }
}
