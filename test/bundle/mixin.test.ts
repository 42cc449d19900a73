/**
 * The jsonnet mixin, rendered by a real jsonnet: with its defaults it equals the generated rules
 * and dashboards; with a `_config+::` override of every setting it equals the bundle generated
 * with the same override in TypeScript (so no tunable is frozen into the jsonnet); an override of
 * one threshold changes exactly the alert that uses it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { dashboardSpecs, renderBundle, RULES_FILE } from '../../src/bundle/bundle.js';
import { DEFAULT_BUNDLE_CONFIG, mergeConfig, type BundleConfig } from '../../src/bundle/config.js';
import { dashboardFileName, MIXIN_DIR } from '../../src/bundle/mixin/mixin.js';
import { REPO, tool } from './paths.js';

const run = promisify(execFile);

interface Rendered {
  groups: Array<{ name: string; interval?: string; rules: Array<Record<string, unknown>> }>;
  dashboards: Record<string, unknown>;
}

/** `overrides` as `_config+::` jsonnet: nested objects merge (`+:`), leaves replace. */
function plusObject(v: unknown): string {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    return `{ ${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}${typeof x === 'object' && x !== null && !Array.isArray(x) ? '+:' : ':'} ${plusObject(x)}`).join(', ')} }`;
  }
  return JSON.stringify(v);
}

/** The committed mixin/ rendered by jsonnet, as kube-prometheus combines it (alerts + rules groups). */
async function renderMixin(overrides: unknown): Promise<Rendered> {
  const expr =
    `local m = (import "mixin.libsonnet") + { _config+:: ${plusObject(overrides)} };\n` +
    '{ groups: m.prometheusAlerts.groups + m.prometheusRules.groups, dashboards: m.grafanaDashboards }';
  const { stdout } = await run(tool('jsonnet'), ['-J', join(REPO, MIXIN_DIR), '-e', expr], { maxBuffer: 64 << 20, timeout: 120_000 });
  return JSON.parse(stdout) as Rendered;
}

/** What the TypeScript generator writes for `cfg`, read back from the files. */
function generated(cfg: BundleConfig): Rendered {
  const files = renderBundle(cfg);
  const rules = parse(files.get(RULES_FILE) ?? '') as { groups: Rendered['groups'] };
  const dashboards: Record<string, unknown> = {};
  for (const spec of dashboardSpecs(cfg)) dashboards[dashboardFileName(spec.slug)] = JSON.parse(files.get(`dashboards/${spec.slug}.json`) ?? 'null');
  return { groups: rules.groups, dashboards };
}

/** Every setting the mixin exposes, changed. */
const EVERYTHING = {
  exporterSelector: 'job="spark-exporter", env="prod"',
  sparkMetricsSelector: 'job="spark-drivers"',
  haLabels: ['instance', 'pod', 'replica'],
  clusterLabel: 'k8s_cluster',
  showMultiCluster: true,
  namespaceLabel: 'ns',
  teamLabel: 'squad',
  runbookBaseUrl: 'https://runbooks.example.com/spark/',
  thresholds: {
    quotaNearlyFullRatio: 0.9,
    executorPendingAgeSeconds: 600,
    executorLifetimeChurnSeconds: 240,
    churnMinExits: 3,
    memoryOverheadMinRatio: 0.25,
    quotaForecastHorizonSeconds: 7200,
    watchStalledSeconds: 1200,
    memoryNearLimitRatio: 0.8,
    executorIdleTimeoutMinSeconds: 90,
    coldStartSeconds: 45,
  },
  advice: { memoryOverheadMargin: 0.2, memoryOverheadMinMiB: 512, executorIdleTimeoutSeconds: 600 },
  cadvisorSelector: 'job="cadvisor", cluster="eu"',
  kubeStateMetricsSelector: 'job="ksm"',
  windows: { events: '15m', churn: '30m', forecast: '2h', memory: '3h', startup: '2h' },
  alerts: {
    SparkExecutorOOMKilled: { for: '2m', severity: 'critical' },
    SparkDriverOnSpotCapacity: { disabled: true },
  },
  ruleInterval: '1m',
  dashboards: { titlePrefix: 'Spark / ', uidPrefix: 'spk-', tags: ['spark'], refresh: '1m', timezone: 'browser', from: 'now-12h' },
};

describe('jsonnet mixin', { timeout: 300_000 }, () => {
  it('renders, with its defaults, exactly the generated rules and dashboards', async () => {
    const got = await renderMixin({});
    const want = generated(DEFAULT_BUNDLE_CONFIG);
    assert.equal(got.groups.length, want.groups.length);
    assert.ok(got.groups.reduce((n, g) => n + g.rules.length, 0) > 20);
    assert.deepEqual(got.groups, want.groups);
    assert.deepEqual(Object.keys(got.dashboards).sort(), Object.keys(want.dashboards).sort());
    for (const [name, d] of Object.entries(want.dashboards)) assert.deepEqual(got.dashboards[name], d, name);
  });

  it('follows an override of every setting exactly as the TypeScript generator does', async () => {
    const got = await renderMixin(EVERYTHING);
    const want = generated(mergeConfig(EVERYTHING));
    assert.deepEqual(got.groups, want.groups);
    for (const [name, d] of Object.entries(want.dashboards)) assert.deepEqual(got.dashboards[name], d, name);
    // The override reached the output (the comparison is not between two copies of the defaults).
    const text = JSON.stringify(got);
    for (const s of ['replica', 'k8s_cluster', 'squad', 'runbooks.example.com', '>= 600', 'increase15m', 'spk-', 'job=\\"spark-drivers\\"', 'job=\\"cadvisor\\"', 'job=\\"ksm\\"', 'max without(instance, replica) (spark_k8s_pod_info', ':max3h', '(1 + 0.2)', 'executorIdleTimeout=600s']) {
      assert.ok(text.includes(s), `override ${s} missing from the jsonnet output`);
    }
    assert.ok(got.groups.every((g) => g.interval === '1m'));
    assert.ok(!got.groups.some((g) => g.rules.some((r) => r.alert === 'SparkDriverOnSpotCapacity')));
  });

  it('changes exactly the one alert whose threshold is overridden', async () => {
    const [base, changed] = await Promise.all([renderMixin({}), renderMixin({ thresholds: { quotaNearlyFullRatio: 0.9 } })]);
    const differing: string[] = [];
    base.groups.forEach((g, gi) =>
      g.rules.forEach((r, ri) => {
        const other = changed.groups[gi]?.rules[ri];
        if (JSON.stringify(other) !== JSON.stringify(r)) differing.push(String(r.alert ?? r.record));
      }),
    );
    assert.deepEqual(differing, ['SparkNamespaceQuotaNearlyFull']);
    const alert = changed.groups.flatMap((g) => g.rules).find((r) => r.alert === 'SparkNamespaceQuotaNearlyFull');
    assert.match(String(alert?.expr), />= 0\.9 < 1$/);
  });
});
