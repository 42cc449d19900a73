/**
 * Regenerates the README's metric and flag tables from the catalogue and the flag table, so the
 * documentation cannot drift from what the exporter serves (CI fails on a stale README).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATALOGUE, type MetricDef } from '../catalogue/metrics.js';
import { envName } from '../cli/flags.js';
import { SERVE_FLAGS } from '../cli/serve-flags.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const cell = (s: string): string => s.replace(/\|/g, '\\|');

export function metricsTable(): string {
  const rows = (CATALOGUE as readonly MetricDef[]).map(
    (m) => `| \`${m.name}\` | ${m.type} | ${m.labels.map((l) => `\`${l}\``).join(', ') || '—'} | ${cell(m.help)} |`,
  );
  return ['| metric | type | labels | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

export function flagsTable(): string {
  const rows = SERVE_FLAGS.map((f) => {
    const def = f.default === undefined ? '' : f.default === '' ? '`""`' : `\`${f.default}\``;
    const env = [envName(f.name), ...(f.env ?? [])].map((e) => `\`${e}\``).join(', ');
    return `| \`--${f.name}\` | ${def} | ${env} | ${cell(f.help)} |`;
  });
  return ['| flag | default | environment | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

export function replaceSection(text: string, name: string, body: string): string {
  const begin = `<!-- BEGIN GENERATED: ${name} -->`;
  const end = `<!-- END GENERATED: ${name} -->`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`README has no ${begin} … ${end} section`);
  return `${text.slice(0, i + begin.length)}\n${body}\n${text.slice(j)}`;
}

export function renderReadme(text: string): string {
  return replaceSection(replaceSection(text, 'metrics', metricsTable()), 'flags', flagsTable());
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = resolve(REPO_ROOT, 'README.md');
  writeFileSync(file, renderReadme(readFileSync(file, 'utf8')));
  process.stdout.write(`wrote ${file}\n`);
}
