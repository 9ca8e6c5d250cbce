import { CANONICAL_EVENT_TYPES, CURRENT_SCHEMA_VERSION, type CanonicalEventType } from '../schemas/events';

/**
 * Upcasting: an event stored or sent in an older 1.x version is upgraded step by step on read,
 * so the rest of the code only ever sees CURRENT_SCHEMA_VERSION.
 *
 * Changes by version:
 * - 1.0 → 1.1: contract lines gained `pobId` (the performance obligation the line belongs to).
 *   A 1.0 line is its own performance obligation, so the upcaster sets `pobId = lineId`. This
 *   applies to `ContractBooked.lines[]` and `ContractAmended.addedLines[]`; the other event types
 *   did not change shape and only move their version forward.
 */
export type RawEvent = Record<string, unknown>;
export type Upcaster = (event: RawEvent) => RawEvent;

interface Step {
  readonly to: string;
  readonly upcast: Upcaster;
}

const registry = new Map<string, Step>();

function key(eventType: CanonicalEventType, fromVersion: string): string {
  return `${eventType}@${fromVersion}`;
}

/** Registers the step that turns `eventType` at `fromVersion` into `toVersion`. One per (type, version). */
export function registerUpcaster(
  eventType: CanonicalEventType,
  fromVersion: string,
  toVersion: string,
  upcast: Upcaster,
): void {
  const k = key(eventType, fromVersion);
  if (registry.has(k)) {
    throw new Error(`An upcaster for ${k} is already registered`);
  }
  registry.set(k, { to: toVersion, upcast });
}

function isRecord(value: unknown): value is RawEvent {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withPobIds(lines: unknown): unknown {
  if (!Array.isArray(lines)) {
    return lines;
  }
  return lines.map((line: unknown) =>
    isRecord(line) && line['pobId'] === undefined ? { ...line, pobId: line['lineId'] } : line,
  );
}

export function minorOf(version: string): number {
  const m = /^1\.(\d+)$/.exec(version);
  return m?.[1] === undefined ? Number.NaN : Number.parseInt(m[1], 10);
}

export class UpcastError extends Error {
  override readonly name = 'UpcastError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** Brings a raw event of `eventType` up to CURRENT_SCHEMA_VERSION; never mutates its input. */
export function upcast(eventType: CanonicalEventType, event: RawEvent): RawEvent {
  let current = event;
  const declared = current['schemaVersion'];
  if (typeof declared !== 'string' || Number.isNaN(minorOf(declared))) {
    throw new UpcastError('schemaVersion must be "1.<minor>"', 'schemaVersion');
  }
  let version: string = declared;
  if (minorOf(version) > minorOf(CURRENT_SCHEMA_VERSION)) {
    throw new UpcastError(
      `schemaVersion ${version} is newer than this reader (${CURRENT_SCHEMA_VERSION})`,
      'schemaVersion',
    );
  }
  while (version !== CURRENT_SCHEMA_VERSION) {
    const step = registry.get(key(eventType, version));
    if (!step) {
      throw new UpcastError(`No upcaster for ${eventType} from schemaVersion ${version}`, 'schemaVersion');
    }
    current = { ...step.upcast(current), schemaVersion: step.to };
    version = step.to;
  }
  return current;
}

/** The chain of versions each event type can be read from, for tests and docs. */
export function readableVersions(eventType: CanonicalEventType): string[] {
  const versions: string[] = [];
  for (const [k] of registry) {
    const at = k.indexOf('@');
    if (k.slice(0, at) === eventType) {
      versions.push(k.slice(at + 1));
    }
  }
  return [...versions, CURRENT_SCHEMA_VERSION].sort((a, b) => minorOf(a) - minorOf(b));
}

registerUpcaster('ContractBooked', '1.0', '1.1', (e) => ({ ...e, lines: withPobIds(e['lines']) }));
registerUpcaster('ContractAmended', '1.0', '1.1', (e) =>
  e['addedLines'] === undefined ? e : { ...e, addedLines: withPobIds(e['addedLines']) },
);
for (const type of CANONICAL_EVENT_TYPES) {
  if (type !== 'ContractBooked' && type !== 'ContractAmended') {
    registerUpcaster(type, '1.0', '1.1', (e) => e);
  }
}
