/**
 * The PrometheusRule carries the generated rules file unchanged unless told otherwise, and every
 * tuning knob changes exactly what it names: a threshold changes its literal and nothing else,
 * disabling drops one alert, customRules change `for`/severity, additionalRuleLabels reach alerts
 * only. Tuning semantics are checked on a fixture (known inputs, edge cases), and the untuned and
 * tuned output on the real generated files.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import {
  CHART_DIR,
  FIXTURES_DIR,
  REPO_ROOT,
  arr,
  at,
  chartWithFiles,
  one,
  rec,
  render,
  renderError,
  str,
  type Obj,
} from './helm.js';

interface Threshold {
  readonly default: number;
  readonly alerts: Readonly<Record<string, string>>;
}

async function readThresholds(file: string): Promise<Record<string, Threshold>> {
  const raw: unknown = JSON.parse(await readFile(file, 'utf8'));
  const out: Record<string, Threshold> = {};
  for (const [key, value] of Object.entries(rec(raw, file))) {
    const t = rec(value, `${file}: ${key}`);
    if (typeof t['default'] !== 'number') throw new Error(`${file}: ${key}.default is not a number`);
    const alerts: Record<string, string> = {};
    for (const [alert, sub] of Object.entries(rec(t['alerts'], `${key}.alerts`))) alerts[alert] = str(sub, `${key}.alerts.${alert}`);
    out[key] = { default: t['default'], alerts };
  }
  return out;
}

async function readGroups(file: string): Promise<Obj[]> {
  const doc: unknown = parse(await readFile(file, 'utf8'));
  return arr(rec(doc, file)['groups'], `${file}: groups`).map((g) => rec(g, 'group'));
}

function renderedGroups(objects: Awaited<ReturnType<typeof render>>): Obj[] {
  return arr(at(one(objects, 'PrometheusRule'), 'spec', 'groups'), 'spec.groups').map((g) => rec(g, 'group'));
}

function allRules(groups: readonly Obj[]): Obj[] {
  return groups.flatMap((g) => arr(g['rules'], 'rules').map((r) => rec(r, 'rule')));
}

function alertRule(groups: readonly Obj[], name: string): Obj {
  const found = allRules(groups).filter((r) => r['alert'] === name);
  if (found.length !== 1) throw new Error(`expected one alert ${name}, found ${found.length}`);
  return found[0] as Obj;
}

/** PromQL spelling of a threshold, as the chart writes it. */
function promNumber(n: number): string {
  return String(n);
}

/** A value different from the default, in the same range of magnitude. */
function tunedValue(d: number): number {
  return Number.isInteger(d) ? d * 2 + 1 : Math.round(d * 500 + 1) / 1000;
}

/**
 * What the groups must look like after setting `values` for the given thresholds: each alert's
 * expression with the default literal inside its substring replaced, everything else the same.
 */
function expectTuned(groups: readonly Obj[], thresholds: Record<string, Threshold>, values: Record<string, number>): Obj[] {
  const copy = structuredClone(groups) as Obj[];
  for (const [key, value] of Object.entries(values)) {
    const t = thresholds[key];
    assert.ok(t, `threshold ${key}`);
    for (const [alert, sub] of Object.entries(t.alerts)) {
      const rule = alertRule(copy, alert);
      const expr = str(rule['expr'], `${alert}.expr`);
      assert.equal(expr.split(sub).length, 2, `${key}: ${JSON.stringify(sub)} occurs exactly once in ${alert}`);
      const tunedSub = sub.replace(promNumber(t.default), promNumber(value));
      assert.notEqual(tunedSub, sub, `${key}: the default ${t.default} is written in ${JSON.stringify(sub)}`);
      rule['expr'] = expr.replace(sub, tunedSub);
    }
  }
  return copy;
}

describe('PrometheusRule from the generated rules file', () => {
  const rulesFile = path.join(REPO_ROOT, 'alerts', 'spark-k8s-exporter.rules.yaml');
  const chartRulesFile = path.join(CHART_DIR, 'files', 'rules', 'spark-k8s-exporter.rules.yaml');
  const thresholdsFile = path.join(CHART_DIR, 'files', 'rules', 'thresholds.json');

  test('untuned, the rendered groups equal alerts/spark-k8s-exporter.rules.yaml', async () => {
    const expected = await readGroups(rulesFile);
    assert.deepEqual(await readGroups(chartRulesFile), expected, 'the chart ships the same rules as alerts/');
    const objects = await render({ setJson: { 'prometheusRule.enabled': true } });
    assert.deepEqual(renderedGroups(objects), expected);
  });

  test('each threshold changes exactly its literal in exactly its alerts', async (t) => {
    const thresholds = await readThresholds(thresholdsFile);
    const groups = await readGroups(rulesFile);
    assert.ok(Object.keys(thresholds).length > 0, 'thresholds.json lists thresholds');
    for (const [key, threshold] of Object.entries(thresholds)) {
      await t.test(key, async () => {
        const value = tunedValue(threshold.default);
        const objects = await render({ setJson: { 'prometheusRule.enabled': true, [`prometheusRule.thresholds.${key}`]: value } });
        assert.deepEqual(renderedGroups(objects), expectTuned(groups, thresholds, { [key]: value }));
      });
    }
  });

  test('all thresholds at once, passed as --set strings as users type them', async () => {
    const thresholds = await readThresholds(thresholdsFile);
    const values = Object.fromEntries(Object.entries(thresholds).map(([k, t]) => [k, tunedValue(t.default)]));
    const objects = await render({
      setJson: {
        'prometheusRule.enabled': true,
        // `helm --set x=0.75` yields the string "0.75"; the chart must take it.
        ...Object.fromEntries(Object.entries(values).map(([k, v]) => [`prometheusRule.thresholds.${k}`, String(v)])),
      },
    });
    const rendered = renderedGroups(objects);
    assert.deepEqual(rendered, expectTuned(await readGroups(rulesFile), thresholds, values));
    await promtoolCheckRules(rendered);
  });

  test('the values in ci/02-monitoring-values.yaml give valid rules', async () => {
    const objects = await render({ valuesFiles: [path.join(CHART_DIR, 'ci', '02-monitoring-values.yaml')] });
    const groups = renderedGroups(objects);
    assert.ok(!allRules(groups).some((r) => r['alert'] === 'SparkExecutorMemoryOverheadLow'), 'disabled');
    const nearlyFull = alertRule(groups, 'SparkNamespaceQuotaNearlyFull');
    assert.equal(nearlyFull['for'], '30m');
    assert.equal(at(nearlyFull, 'labels', 'severity'), 'info');
    assert.equal(at(nearlyFull, 'labels', 'routing'), 'spark-platform');
    assert.match(str(nearlyFull['expr'], 'expr'), />= 0\.75\b/);
    assert.match(str(alertRule(groups, 'SparkExecutorsPendingTooLong')['expr'], 'expr'), />= 600\b/);
    await promtoolCheckRules(groups);
  });
});

/** The real promtool (on PATH) accepts the groups: tuned PromQL still parses. */
async function promtoolCheckRules(groups: readonly Obj[]): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'spark-k8s-exporter-rules-'));
  try {
    const file = path.join(dir, 'rules.yaml');
    await writeFile(file, stringify({ groups }));
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve, reject) => {
      execFile('promtool', ['check', 'rules', file], { timeout: 60_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(new Error(`promtool did not run: ${error.message}`));
        else resolve({ code: error ? Number(error.code) : 0, output: stdout + stderr });
      });
    });
    assert.equal(code, 0, output);
    assert.match(output, /SUCCESS/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('PrometheusRule tuning on a fixture', () => {
  let chart: { dir: string; cleanup: () => Promise<void> };
  let groups: Obj[];
  let thresholds: Record<string, Threshold>;
  before(async () => {
    chart = await chartWithFiles(path.join(FIXTURES_DIR, 'files'));
    groups = await readGroups(path.join(FIXTURES_DIR, 'files', 'rules', 'spark-k8s-exporter.rules.yaml'));
    thresholds = await readThresholds(path.join(FIXTURES_DIR, 'files', 'rules', 'thresholds.json'));
  });
  after(async () => {
    await chart.cleanup();
  });
  const renderFixture = async (values: Record<string, unknown>) =>
    renderedGroups(await render({ chartDir: chart.dir, setJson: { 'prometheusRule.enabled': true, ...values } }));

  test('untuned output equals the input, Helm leaves {{ $labels }} alone', async () => {
    const rendered = await renderFixture({});
    assert.deepEqual(rendered, groups);
    assert.match(str(at(alertRule(rendered, 'SparkQuotaAlmostFull'), 'annotations', 'summary'), 'summary'), /\{\{ \$labels\.quota \}\}/);
  });

  test('a fraction threshold changes 0.85 but not the `< 1` beside it', async () => {
    const rendered = await renderFixture({ 'prometheusRule.thresholds.quotaAlmostFullRatio': 0.7 });
    const expr = str(alertRule(rendered, 'SparkQuotaAlmostFull')['expr'], 'expr');
    assert.match(expr, />= 0\.7\n/);
    assert.match(expr, /< 1\n/);
    assert.deepEqual(rendered, expectTuned(groups, thresholds, { quotaAlmostFullRatio: 0.7 }));
  });

  test('one threshold can tune several alerts; integers stay integers', async () => {
    const rendered = await renderFixture({ 'prometheusRule.thresholds.pendingSeconds': 1800 });
    for (const alert of ['SparkExecutorPendingTooLong', 'SparkDriverPendingTooLong']) {
      assert.match(str(alertRule(rendered, alert)['expr'], 'expr'), /> 1800$/);
    }
    // The same number in an annotation is not the threshold and stays.
    assert.match(str(at(alertRule(rendered, 'SparkExecutorPendingTooLong'), 'annotations', 'summary'), 's'), /900s/);
    assert.deepEqual(rendered, expectTuned(groups, thresholds, { pendingSeconds: 1800 }));
  });

  test('disabled drops exactly that alert', async () => {
    const rendered = await renderFixture({ 'prometheusRule.disabled': { SparkQuotaFull: true, SparkExecutorOOMKilled: false } });
    const expected = structuredClone(groups) as Obj[];
    for (const g of expected) g['rules'] = arr(g['rules'], 'rules').filter((r) => rec(r, 'rule')['alert'] !== 'SparkQuotaFull');
    assert.deepEqual(rendered, expected);
  });

  test('customRules change for and severity of that alert only', async () => {
    const rendered = await renderFixture({
      'prometheusRule.customRules': { SparkExecutorOOMKilled: { for: '2m', severity: 'critical' }, SparkQuotaFull: { for: '1h' } },
    });
    const expected = structuredClone(groups) as Obj[];
    const oom = alertRule(expected, 'SparkExecutorOOMKilled');
    oom['for'] = '2m';
    rec(oom['labels'], 'labels')['severity'] = 'critical';
    alertRule(expected, 'SparkQuotaFull')['for'] = '1h';
    assert.deepEqual(rendered, expected);
  });

  test('additionalRuleLabels reach every alert and no recording rule; alert labels win', async () => {
    const rendered = await renderFixture({ 'prometheusRule.additionalRuleLabels': { routing: 'spark', severity: 'none' } });
    for (const rule of allRules(rendered)) {
      if (rule['alert']) {
        const labels = rec(rule['labels'], 'labels');
        assert.equal(labels['routing'], 'spark');
        assert.notEqual(labels['severity'], 'none', 'the alert keeps its own severity');
      } else {
        assert.equal(rule['labels'], undefined, `recording rule ${String(rule['record'])} keeps its labels`);
      }
    }
  });

  test('unknown alert names and threshold keys fail the render with the known names', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ 'prometheusRule.disabled': { SparkQuotaFul: true } }, /prometheusRule\.disabled\.SparkQuotaFul: no such alert.*SparkQuotaFull/],
      [{ 'prometheusRule.customRules': { Nope: { for: '1m' } } }, /prometheusRule\.customRules\.Nope: no such alert/],
      [{ 'prometheusRule.thresholds': { quotaRatio: 0.5 } }, /prometheusRule\.thresholds\.quotaRatio: no such threshold.*quotaAlmostFullRatio/],
      [{ 'prometheusRule.thresholds': { quotaAlmostFullRatio: 'high' } }, /thresholds\/quotaAlmostFullRatio/],
      [{ 'prometheusRule.customRules': { SparkQuotaFull: { severity: 'page' } } }, /customRules\/SparkQuotaFull\/severity/],
    ];
    for (const [values, message] of cases) {
      const stderr = await renderError({ chartDir: chart.dir, setJson: { 'prometheusRule.enabled': true, ...values } });
      assert.match(stderr, message);
    }
  });

  test('a thresholds.json that does not match the rules fails instead of tuning nothing', async () => {
    const file = path.join(chart.dir, 'files', 'rules', 'thresholds.json');
    const original = await readFile(file, 'utf8');
    try {
      await writeFile(file, JSON.stringify({ x: { default: 0.5, alerts: { SparkQuotaFull: '>= 0.5' } } }));
      const notInExpr = await renderError({ chartDir: chart.dir, setJson: { 'prometheusRule.enabled': true, 'prometheusRule.thresholds.x': 0.6 } });
      assert.match(notInExpr, /"?>= 0\.5"? does not appear exactly once in the expression of SparkQuotaFull/);
      await writeFile(file, JSON.stringify({ x: { default: 0.9, alerts: { SparkQuotaFull: '>= 1' } } }));
      const noLiteral = await renderError({ chartDir: chart.dir, setJson: { 'prometheusRule.enabled': true, 'prometheusRule.thresholds.x': 0.6 } });
      assert.match(noLiteral, /threshold x \(default 0\.9\) does not appear exactly once/);
    } finally {
      await writeFile(file, original);
    }
  });
});
