/**
 * `npm run generate`: writes the observability bundle (dashboards, rules, monitors, chart files)
 * from the config. `--config FILE` merges a JSON partial override onto the defaults; `--out DIR`
 * writes somewhere other than the repository root (tests generate variants this way); `--speed N`
 * divides windows and `for` durations by N for the simulator's fast time (`demo --prometheus`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_BUNDLE_CONFIG, mergeConfig, type BundleConfig } from './config.js';
import { renderBundle } from './bundle.js';
import { timeScaled } from './timescale.js';

/** dist/src/bundle/generate.js → repository root. */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export function loadConfig(file: string | undefined): BundleConfig {
  if (file === undefined) return DEFAULT_BUNDLE_CONFIG;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read config ${file}: ${(err as Error).message}`);
  }
  return mergeConfig(parsed);
}

export function writeBundle(cfg: BundleConfig, outDir: string): string[] {
  const files = renderBundle(cfg);
  for (const [rel, content] of files) {
    const path = join(outDir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  }
  return [...files.keys()];
}

function main(argv: string[]): number {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { config: { type: 'string' }, out: { type: 'string' }, speed: { type: 'string' } }, strict: true }));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\nusage: generate [--config FILE] [--out DIR] [--speed N]\n`);
    return 2;
  }
  try {
    const loaded = loadConfig(values.config);
    const cfg = values.speed === undefined ? loaded : timeScaled(loaded, Number(values.speed));
    const written = writeBundle(cfg, resolve(values.out ?? REPO_ROOT));
    process.stdout.write(`wrote ${written.length} files to ${values.out ?? REPO_ROOT}\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`generate: ${(err as Error).message}\n`);
    return 1;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
