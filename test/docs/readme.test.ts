import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CATALOGUE, type MetricDef } from '../../src/catalogue/metrics.js';
import { SERVE_FLAGS } from '../../src/cli/serve-flags.js';
import { renderReadme } from '../../src/docs/readme.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

test('the README tables are what the generator writes (run npm run generate)', () => {
  assert.equal(README, renderReadme(README));
});

test('the README metric table and the catalogue agree both ways, labels included', () => {
  const rows = [...README.matchAll(/^\| `(spark_k8s_[a-z_]+)` \| (\w+) \| ([^|]*) \|/gm)].map((m) => ({
    name: m[1],
    type: m[2],
    labels: [...(m[3] ?? '').matchAll(/`([a-z_]+)`/g)].map((l) => l[1]),
  }));
  const want = (CATALOGUE as readonly MetricDef[]).map((d) => ({ name: d.name, type: d.type, labels: [...d.labels] }));
  assert.deepEqual(rows, want);
});

test('the README starts with the two commands: run the demo, run the tests', () => {
  const first = README.split('```')[1] ?? '';
  assert.match(first, /npm ci && npm run demo/);
  assert.match(first, /npm test/);
  for (const f of SERVE_FLAGS) assert.ok(README.includes(`\`--${f.name}\``), `flag --${f.name} documented`);
});
