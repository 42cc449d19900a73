/**
 * Dashboards ship as one ConfigMap per dashboard, labelled for the Grafana sidecar, holding the
 * generated JSON unchanged.
 */
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CHART_DIR,
  FIXTURES_DIR,
  NAMESPACE,
  REPO_ROOT,
  chartWithFiles,
  ofKind,
  render,
  renderError,
  stringMap,
  type K8sObject,
} from './helm.js';

function dashboardMaps(objects: readonly K8sObject[]): K8sObject[] {
  return ofKind(objects, 'ConfigMap').filter((c) => stringMap(c.metadata['labels'], 'labels')['grafana_dashboard'] !== undefined);
}

/** file name -> JSON text, across all dashboard ConfigMaps; each must hold exactly one. */
function dashboardData(maps: readonly K8sObject[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const cm of maps) {
    const data = stringMap(cm['data'], `${cm.metadata.name} data`);
    const entries = Object.entries(data);
    assert.equal(entries.length, 1, `${cm.metadata.name} holds one dashboard`);
    const [name, json] = entries[0] as [string, string];
    assert.ok(!out.has(name), `${name} shipped once`);
    out.set(name, json);
  }
  return out;
}

async function jsonFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
}

describe('dashboard ConfigMaps', () => {
  test('the generated dashboards/*.json, parsed, equal what the chart renders', async () => {
    const dir = path.join(REPO_ROOT, 'dashboards');
    const files = await jsonFiles(dir);
    assert.ok(files.length > 0, 'dashboards/ holds the generated dashboards');
    assert.deepEqual(await jsonFiles(path.join(CHART_DIR, 'files', 'dashboards')), files, 'the chart ships the same set');
    const maps = dashboardMaps(await render());
    const data = dashboardData(maps);
    assert.deepEqual([...data.keys()].sort(), files);
    for (const file of files) {
      const expected: unknown = JSON.parse(await readFile(path.join(dir, file), 'utf8'));
      assert.deepEqual(JSON.parse(data.get(file) ?? 'null'), expected, file);
    }
    for (const cm of maps) {
      assert.equal(stringMap(cm.metadata['labels'], 'labels')['grafana_dashboard'], '1');
      assert.equal(cm.metadata['namespace'], NAMESPACE);
      assert.ok(cm.metadata.name.length <= 63);
    }
  });

  test('dashboards.enabled=false renders none', async () => {
    assert.equal(dashboardMaps(await render({ setJson: { 'dashboards.enabled': false } })).length, 0);
  });

  describe('on a fixture', () => {
    let chart: { dir: string; cleanup: () => Promise<void> };
    before(async () => {
      chart = await chartWithFiles(path.join(FIXTURES_DIR, 'files'));
    });
    after(async () => {
      await chart.cleanup();
    });

    test('content is byte-identical, {{ }} inside JSON is not templated', async () => {
      const data = dashboardData(dashboardMaps(await render({ chartDir: chart.dir })));
      for (const file of await jsonFiles(path.join(FIXTURES_DIR, 'files', 'dashboards'))) {
        assert.equal(data.get(file), await readFile(path.join(FIXTURES_DIR, 'files', 'dashboards', file), 'utf8'), file);
      }
    });

    test('label, value, namespace and folder annotation are configurable', async () => {
      const maps = dashboardMaps(
        await render({
          chartDir: chart.dir,
          setJson: {
            dashboards: { label: 'grafana_dashboard', labelValue: 'spark', namespace: 'grafana', folder: 'Spark', folderAnnotation: 'k8s-sidecar-target-directory' },
          },
        }),
      );
      assert.equal(maps.length, 2);
      for (const cm of maps) {
        assert.equal(stringMap(cm.metadata['labels'], 'labels')['grafana_dashboard'], 'spark');
        assert.equal(cm.metadata['namespace'], 'grafana');
        assert.deepEqual(stringMap(cm.metadata['annotations'], 'annotations'), { 'k8s-sidecar-target-directory': 'Spark' });
      }
    });

    test('a chart without dashboard files says how to generate them', async () => {
      const { rm } = await import('node:fs/promises');
      await rm(path.join(chart.dir, 'files', 'dashboards'), { recursive: true, force: true });
      assert.match(await renderError({ chartDir: chart.dir }), /npm run generate/);
    });
  });
});
