/**
 * The chart's README documents every value and every threshold key, and NOTES.txt tells where
 * the metrics, alerts and dashboards are.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { CHART_DIR, NAMESPACE, RELEASE, rec, renderNotes } from './helm.js';

/** Objects documented as a whole rather than key by key. */
const WHOLE = new Set(['global', 'podSecurityContext', 'securityContext']);

function leafPaths(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || WHOLE.has(prefix)) return [prefix];
  const entries = Object.entries(value);
  if (entries.length === 0) return [prefix];
  return entries.flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

describe('chart documentation', () => {
  test('README.md has a values-table row for every value', async () => {
    const values: unknown = parse(await readFile(path.join(CHART_DIR, 'values.yaml'), 'utf8'));
    const readme = await readFile(path.join(CHART_DIR, 'README.md'), 'utf8');
    const rows = new Set([...readme.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]));
    const leaves = leafPaths(values);
    assert.ok(leaves.length > 50);
    assert.deepEqual(leaves.filter((p) => !rows.has(p)), [], 'undocumented values');
  });

  test('README.md lists every threshold key of files/rules/thresholds.json', async () => {
    const thresholds = rec(JSON.parse(await readFile(path.join(CHART_DIR, 'files', 'rules', 'thresholds.json'), 'utf8')), 'thresholds');
    const readme = await readFile(path.join(CHART_DIR, 'README.md'), 'utf8');
    for (const key of Object.keys(thresholds)) assert.ok(readme.includes(`| \`${key}\` |`), `threshold ${key} in README`);
  });

  test('NOTES.txt points at the metrics endpoint, monitors, rules and dashboards', async () => {
    const fullname = `${RELEASE}-spark-k8s-exporter`;
    const notes = await renderNotes({ setJson: { 'serviceMonitor.enabled': true, 'prometheusRule.enabled': true } });
    assert.ok(notes.includes(`http://${fullname}.${NAMESPACE}.svc:8080/metrics`), notes);
    assert.ok(notes.includes(`port-forward svc/${fullname} 8080:8080`));
    assert.ok(notes.includes(`ServiceMonitor ${NAMESPACE}/${fullname}`));
    assert.ok(notes.includes(`PrometheusRule ${NAMESPACE}/${fullname}`));
    assert.ok(notes.includes('get configmaps -l grafana_dashboard=1'));
    assert.match(notes, /Watching: all namespaces/);

    const sharded = await renderNotes({ setJson: { 'autosharding.enabled': true, replicas: 2, 'config.watchNamespaces': ['a', 'b'], 'dashboards.enabled': false } });
    assert.match(sharded, /StatefulSet .* \(2 shards\)/);
    assert.match(sharded, /Watching: namespaces a, b/);
    assert.doesNotMatch(sharded, /Dashboards:/);
    assert.match(sharded, /no ServiceMonitor/);
  });
});
