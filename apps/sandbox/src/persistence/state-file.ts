import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { deserialize, serialize } from 'node:v8';

/** Bumped when a vendor's snapshot shape changes: an older file is refused rather than half-read. */
const FORMAT = 1;

interface StateFile {
  format: number;
  vendor: string;
  savedAt: string;
  state: unknown;
}

/**
 * Reads a vendor's state file: undefined when there is none. A file of another vendor or format throws, naming
 * the file, rather than starting the vendor empty while Revline's database remembers its records.
 */
export function readStateFile(path: string, vendor: string): unknown {
  if (!existsSync(path)) return undefined;
  const file = deserialize(readFileSync(path)) as Partial<StateFile>;
  if (file.vendor !== vendor || file.format !== FORMAT)
    throw new Error(
      `${path} is not a ${vendor} sandbox state of format ${String(FORMAT)} (found ${String(file.vendor)}, format ${String(file.format)}); move it away to start empty`,
    );
  return file.state;
}

/**
 * Writes a vendor's state whole, through a temporary file renamed over the old one, so a crash mid-write leaves the
 * previous state rather than a torn file. The structured-clone format keeps Maps, Sets, Buffers and bigints.
 */
export function writeStateFile(path: string, vendor: string, state: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const file: StateFile = { format: FORMAT, vendor, savedAt: new Date().toISOString(), state };
  const temporary = `${path}.${String(process.pid)}.tmp`;
  writeFileSync(temporary, serialize(file));
  renameSync(temporary, path);
}
