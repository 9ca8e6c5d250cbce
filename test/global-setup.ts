import { execFileSync } from 'node:child_process';
// @ts-expect-error -- a plain ESM script of the repo, without types
import { buildIsStale, ROOT } from '../scripts/lib.mjs';

/** End-to-end specs run the built apps as separate processes, so dist/ must be current. */
export default function setup(): void {
  if ((buildIsStale as () => boolean)()) {
    execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT as string, stdio: 'inherit' });
  }
}
