/** Locations shared by the bundle tests (compiled to dist/test/bundle, the repo is three up). */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const PROMTOOL_TESTS = join(REPO, 'test/bundle/promtool');

/** A tool from PATH (promtool, amtool, prometheus); the tests fail, never skip, without it. */
export function tool(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = join(dir, name);
    if (dir !== '' && existsSync(p)) return p;
  }
  throw new Error(`${name} not found on PATH: run scripts/install-tools.sh`);
}
