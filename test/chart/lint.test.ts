/**
 * `helm lint --strict` with the defaults and each ci/ values file; misspelt values are rejected by
 * values.schema.json; Chart.yaml tracks package.json.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { CHART_DIR, REPO_ROOT, ciValuesFiles, rec, renderError, runHelm } from './helm.js';

async function lint(valuesFiles: readonly string[]): Promise<void> {
  const args = ['lint', '--strict', CHART_DIR, ...valuesFiles.flatMap((f) => ['--values', f])];
  const result = await runHelm(args);
  assert.equal(result.code, 0, `helm ${args.join(' ')}:\n${result.stdout}\n${result.stderr}`);
  assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  assert.doesNotMatch(result.stdout, /\[(WARNING|ERROR)\]/);
}

describe('helm lint --strict', () => {
  test('defaults', async () => {
    await lint([]);
  });
  test('each ci values file', async (t) => {
    for (const file of await ciValuesFiles()) {
      await t.test(path.basename(file), async () => lint([file]));
    }
  });
});

describe('values.schema.json', () => {
  test('misspelt or mistyped values fail the render, naming the culprit', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ imagee: { tag: 'x' } }, /additional properties 'imagee' not allowed/],
      [{ image: { tagg: 'x' } }, /\/image.*additional properties 'tagg' not allowed/],
      [{ serviceMonitor: { intervall: '1m' } }, /\/serviceMonitor.*'intervall'/],
      [{ prometheusRule: { disable: {} } }, /\/prometheusRule.*'disable'/],
      [{ config: { teamlabel: 'x' } }, /\/config.*'teamlabel'/],
      [{ config: { churnWindow: 'five minutes' } }, /\/config\/churnWindow/],
      [{ config: { logFormat: 'xml' } }, /\/config\/logFormat/],
      [{ rbac: { create: 'yes' } }, /\/rbac\/create/],
      [{ securityContext: 'none' }, /\/securityContext/],
      [{ podDisruptionBudget: { enabled: true, minAvailable: 1 } }, /set minAvailable or maxUnavailable, not both/],
      [{ web: { tls: { enabled: true } } }, /web\.tls\.enabled needs web\.tls\.secretName/],
    ];
    for (const [values, message] of cases) {
      const setJson = Object.fromEntries(Object.entries(values));
      assert.match(await renderError({ setJson }), message, JSON.stringify(values));
    }
  });
});

describe('Chart.yaml', () => {
  test('apiVersion v2 and appVersion = package.json version', async () => {
    const chart = rec(parse(await readFile(path.join(CHART_DIR, 'Chart.yaml'), 'utf8')), 'Chart.yaml');
    const pkg = rec(JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')), 'package.json');
    assert.equal(chart['apiVersion'], 'v2');
    assert.equal(chart['name'], 'spark-k8s-exporter');
    assert.equal(chart['appVersion'], pkg['version']);
  });
});
