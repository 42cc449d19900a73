/**
 * Alerts defined once each (src/bundle/alerts): the per-alert overrides of the config change
 * exactly the alert they name and nothing else, typos in them are errors naming the key, the
 * definitions themselves are sound, and the PromQL guard covers every alert and recording rule.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allExpressions, bundleProblems } from '../../src/bundle/bundle.js';
import { ALERTS, ALERT_NAMES, AREAS, type AlertName } from '../../src/bundle/alerts/index.js';
import { SEVERITIES, defineArea, type Severity } from '../../src/bundle/alerts/spec.js';
import { DEFAULT_BUNDLE_CONFIG, mergeConfig, validateConfig, type BundleConfig } from '../../src/bundle/config.js';
import { buildRules, recordedNames, type RuleSet, type ThresholdMap } from '../../src/bundle/rules.js';

/** Every rule by its alert or record name, in group order. */
function rulesByName(set: RuleSet): Map<string, unknown> {
  return new Map(set.groups.flatMap((g) => g.rules.map((r): [string, unknown] => ['alert' in r ? r.alert : r.record, r])));
}

const base = buildRules(DEFAULT_BUNDLE_CONFIG);
const baseRules = rulesByName(base);

/** Asserts `tuned` equals the default rules except for `name`, which must equal `expected` (or be absent). */
function assertOnlyChanged(tuned: RuleSet, name: AlertName, expected: unknown): void {
  const rules = rulesByName(tuned);
  const wantNames = [...baseRules.keys()].filter((n) => n !== name || expected !== undefined);
  assert.deepEqual([...rules.keys()], wantNames, 'same rules in the same order');
  for (const [n, rule] of rules) assert.deepEqual(rule, n === name ? expected : baseRules.get(n), n);
  assert.deepEqual(tuned.groups.map((g) => g.name), base.groups.map((g) => g.name));
}

function specOf(name: AlertName) {
  const spec = ALERTS.find((a) => a.name === name);
  assert.ok(spec, name);
  return spec;
}

describe('per-alert overrides', () => {
  it('`for` changes exactly that alert', () => {
    for (const name of ALERT_NAMES) {
      const tuned = buildRules(mergeConfig({ alerts: { [name]: { for: '7m' } } }));
      assertOnlyChanged(tuned, name, { ...(baseRules.get(name) as object), for: '7m' });
      assert.deepEqual(tuned.thresholds, base.thresholds);
    }
  });

  it('severity changes exactly that alert', () => {
    for (const name of ALERT_NAMES) {
      const severity: Severity = specOf(name).severity === 'critical' ? 'info' : 'critical';
      const tuned = buildRules(mergeConfig({ alerts: { [name]: { severity } } }));
      assertOnlyChanged(tuned, name, { ...(baseRules.get(name) as object), labels: { severity } });
    }
  });

  it('disabled drops exactly that alert, and its literals from the threshold map', () => {
    for (const name of ALERT_NAMES) {
      const tuned = buildRules(mergeConfig({ alerts: { [name]: { disabled: true } } }));
      assertOnlyChanged(tuned, name, undefined);
      const want: ThresholdMap = {};
      for (const [key, entry] of Object.entries(base.thresholds)) {
        const alerts = Object.fromEntries(Object.entries(entry.alerts).filter(([a]) => a !== name));
        if (Object.keys(alerts).length > 0) want[key] = { default: entry.default, alerts };
      }
      assert.deepEqual(tuned.thresholds, want, name);
    }
    // The filter above is not vacuous: disabling this alert does remove a threshold.
    const pending = buildRules(mergeConfig({ alerts: { SparkExecutorsPendingTooLong: { disabled: true } } }));
    assert.equal(pending.thresholds['executorPendingAgeSeconds'], undefined);
  });

  it('disabled: false and an empty override leave the alert as it is', () => {
    assertOnlyChanged(buildRules(mergeConfig({ alerts: { SparkDriverOOMKilled: { disabled: false } } })), 'SparkDriverOOMKilled', baseRules.get('SparkDriverOOMKilled'));
    assertOnlyChanged(buildRules(mergeConfig({ alerts: { SparkDriverOOMKilled: {} } })), 'SparkDriverOOMKilled', baseRules.get('SparkDriverOOMKilled'));
  });

  it('combine: for, severity and disabled on several alerts at once', () => {
    const cfg = mergeConfig({
      alerts: {
        SparkExecutorOOMKilled: { for: '2m', severity: 'critical' },
        SparkExecutorChurnHigh: { disabled: true },
      },
    });
    const rules = rulesByName(buildRules(cfg));
    assert.deepEqual(rules.get('SparkExecutorOOMKilled'), { ...(baseRules.get('SparkExecutorOOMKilled') as object), for: '2m', labels: { severity: 'critical' } });
    assert.equal(rules.has('SparkExecutorChurnHigh'), false);
    assert.equal(rules.size, baseRules.size - 1);
  });

  it('merge onto a base that already has overrides, field by field', () => {
    const first = mergeConfig({ alerts: { SparkExecutorOOMKilled: { for: '2m' } } });
    const second = mergeConfig({ alerts: { SparkExecutorOOMKilled: { severity: 'info' }, SparkDriverPreempted: { disabled: true } } }, first);
    assert.deepEqual(second.alerts, { SparkExecutorOOMKilled: { for: '2m', severity: 'info' }, SparkDriverPreempted: { disabled: true } });
    assert.deepEqual(first.alerts, { SparkExecutorOOMKilled: { for: '2m' } }, 'the base is not mutated');
    assert.deepEqual(DEFAULT_BUNDLE_CONFIG.alerts, {}, 'the defaults are not mutated');
  });

  it('reject an unknown alert, an unknown setting, a bad duration, severity or type, naming the key', () => {
    const rejects: Array<[unknown, RegExp]> = [
      [{ alerts: { SparkExecutorOOMKiled: { for: '2m' } } }, /^Error: config\.alerts\.SparkExecutorOOMKiled: unknown alert; alerts are: .*SparkExecutorOOMKilled/],
      [{ alerts: { SparkExecutorOOMKilled: { fro: '2m' } } }, /^Error: config\.alerts\.SparkExecutorOOMKilled\.fro: unknown setting/],
      [{ alerts: { SparkExecutorOOMKilled: { for: '2 minutes' } } }, /^Error: config\.alerts\.SparkExecutorOOMKilled\.for: "2 minutes" is not a Prometheus duration/],
      [{ alerts: { SparkExecutorOOMKilled: { for: 120 } } }, /^Error: config\.alerts\.SparkExecutorOOMKilled\.for: expected a string/],
      [{ alerts: { SparkExecutorOOMKilled: { severity: 'page' } } }, /^Error: config\.alerts\.SparkExecutorOOMKilled\.severity: "page" must be critical, warning, info/],
      [{ alerts: { SparkExecutorOOMKilled: { disabled: 'yes' } } }, /^Error: config\.alerts\.SparkExecutorOOMKilled\.disabled: expected a boolean/],
      [{ alerts: { SparkExecutorOOMKilled: { constructor: 'x' } } }, /^Error: config\.alerts\.SparkExecutorOOMKilled\.constructor: unknown setting/],
      [{ alerts: { SparkExecutorOOMKilled: '2m' } }, /^Error: config\.alerts\.SparkExecutorOOMKilled: expected an object/],
      [{ alerts: [] }, /^Error: config\.alerts: expected an object/],
      // The old parallel maps are gone; using them is a typo like any other.
      [{ for: { SparkExecutorOOMKilled: '2m' } }, /^Error: config\.for: unknown setting/],
      [{ severity: { SparkExecutorOOMKilled: 'critical' } }, /^Error: config\.severity: unknown setting/],
    ];
    for (const [override, message] of rejects) assert.throws(() => mergeConfig(override), message, JSON.stringify(override));
  });

  it('are validated on configs built in code too', () => {
    const bad = { ...structuredClone(DEFAULT_BUNDLE_CONFIG), alerts: { SparkNope: { for: '1m' } } } as unknown as BundleConfig;
    assert.throws(() => validateConfig(bad), /^Error: config\.alerts\.SparkNope: unknown alert/);
    const badFor: BundleConfig = { ...structuredClone(DEFAULT_BUNDLE_CONFIG), alerts: { SparkApplicationFailed: { for: 'soon' } } };
    assert.throws(() => validateConfig(badFor), /config\.alerts\.SparkApplicationFailed\.for/);
  });
});

describe('alert definitions', () => {
  it('have unique names, valid default for and severity, and their runbook file', () => {
    assert.equal(new Set(ALERT_NAMES).size, ALERT_NAMES.length, 'an alert is defined in two places');
    assert.ok(ALERT_NAMES.length >= 16);
    for (const a of ALERTS) {
      assert.match(a.for, /^([0-9]+(ms|s|m|h|d|w|y))+$/, a.name);
      assert.ok((SEVERITIES as readonly string[]).includes(a.severity), a.name);
      assert.equal(a.runbook, `${a.name.toLowerCase()}.md`);
    }
  });

  it('each area is one rule group with its recording rules before its alerts', () => {
    assert.deepEqual(base.groups.map((g) => g.name), AREAS.map((a) => a.group));
    for (const g of base.groups) {
      const firstAlert = g.rules.findIndex((r) => 'alert' in r);
      const lastRecord = g.rules.map((r) => 'record' in r).lastIndexOf(true);
      assert.ok(firstAlert === -1 || lastRecord < firstAlert, `${g.name}: a recording rule after an alert`);
    }
  });

  it('alerts read only recording rules of their own group (same-timestamp evaluation)', () => {
    for (const g of base.groups) {
      const own = new Set(g.rules.flatMap((r) => ('record' in r ? [r.record] : [])));
      const others = [...recordedNames(base)].filter((n) => !own.has(n));
      for (const r of g.rules) for (const n of others) assert.ok(!r.expr.includes(n), `${g.name}: ${'alert' in r ? r.alert : r.record} reads ${n} of another group`);
    }
  });

  it('the config stays plain JSON (what a jsonnet mixin would mirror as _config)', () => {
    const json: unknown = JSON.parse(JSON.stringify(DEFAULT_BUNDLE_CONFIG));
    assert.deepEqual(json, DEFAULT_BUNDLE_CONFIG);
    assert.deepEqual(mergeConfig(json), DEFAULT_BUNDLE_CONFIG);
  });
});

describe('the PromQL guard', () => {
  it('checks every alert and every recording rule', () => {
    const where = new Set(allExpressions(DEFAULT_BUNDLE_CONFIG, base).map((e) => e.where));
    for (const name of ALERT_NAMES) assert.ok(where.has(`alert ${name}`), name);
    for (const record of recordedNames(base)) assert.ok(where.has(`record ${record}`), record);
    assert.deepEqual(bundleProblems(DEFAULT_BUNDLE_CONFIG, base), []);
  });

  it('rejects a broken expression or an unknown metric in an area file, naming the rule', () => {
    const broken = defineArea({
      group: 'test.broken',
      records: ({ d, x }) => [{ record: 'test:spark_k8s_nonexistent:max', expr: d(x('spark_k8s_nonexistent')) }],
      alerts: [
        { ...specOf('SparkExecutorOOMKilled'), expr: ({ R }) => `sum(${R.exits} > 0` },
        { ...specOf('SparkDriverOOMKilled'), expr: ({ x }) => `${x('spark_k8s_driver_oom_typo_total')} > 0` },
      ],
    });
    const problems = bundleProblems(DEFAULT_BUNDLE_CONFIG, buildRules(DEFAULT_BUNDLE_CONFIG, [broken]));
    assert.ok(problems.some((p) => p.startsWith('record test:spark_k8s_nonexistent:max: unknown metric spark_k8s_nonexistent')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('alert SparkExecutorOOMKilled: syntax error')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('alert SparkDriverOOMKilled: unknown metric spark_k8s_driver_oom_typo_total')), problems.join('\n'));
  });
});

describe('SparkApplicationStuck per-state thresholds', () => {
  const stuckExpr = (cfg: BundleConfig) => buildRules(cfg).groups.flatMap((g) => g.rules).find((r) => 'alert' in r && r.alert === 'SparkApplicationStuck')?.expr ?? '';

  it('defaults as the issue states them, each state its own tunable literal', () => {
    const t = DEFAULT_BUNDLE_CONFIG.applicationStuckSeconds;
    assert.deepEqual([t['NEW'], t['SUBMITTED'], t['PENDING_RERUN'], t['INVALIDATING'], t['SUCCEEDING'], t['FAILING'], t['UNKNOWN']], [600, 600, 1800, 600, 600, 600, 600]);
    assert.equal(t['RUNNING'], undefined, 'running is where applications live, never stuck');
    const expr = stuckExpr(DEFAULT_BUNDLE_CONFIG);
    assert.match(expr, /label_replace\(vector\(1800\), "state", "PENDING_RERUN", "", ""\)/);
    assert.match(expr, /label_replace\(vector\(600\), "state", "SUBMITTED", "", ""\)/);
  });

  it('a state can be tuned, added, or turned off with 0; a bad value names the key', () => {
    const cfg = mergeConfig({ applicationStuckSeconds: { SUBMITTED: 1200, CUSTOM_STATE: 60, PENDING_RERUN: 0 } });
    const expr = stuckExpr(cfg);
    assert.match(expr, /vector\(1200\), "state", "SUBMITTED"/);
    assert.match(expr, /vector\(60\), "state", "CUSTOM_STATE"/);
    assert.doesNotMatch(expr, /PENDING_RERUN/);
    assert.throws(() => mergeConfig({ applicationStuckSeconds: { SUBMITTED: -1 } }), /applicationStuckSeconds\.SUBMITTED/);
    assert.throws(() => mergeConfig({ applicationStuckSeconds: { 'bad state"': 5 } }), /not a state name/);
    assert.throws(() => mergeConfig({ applicationStuckSeconds: { SUBMITTED: '10m' } }), /applicationStuckSeconds\.SUBMITTED/);
  });
});

describe('memory headroom and dynamic-allocation settings', () => {
  const recordExpr = (set: RuleSet, name: string) => {
    const r = rulesByName(set).get(name) as { expr: string } | undefined;
    assert.ok(r, name);
    return r.expr;
  };

  it('read cAdvisor and kube-state-metrics through their selectors, with the container filters', () => {
    const ws = recordExpr(base, 'namespace_team_app_role_pod:spark_k8s_container_memory_working_set_bytes:max');
    assert.ok(ws.includes('container_memory_working_set_bytes{job="kubelet", metrics_path="/metrics/cadvisor", container!="", container!="POD", image!=""}'), ws);
    const tuned = buildRules(mergeConfig({ cadvisorSelector: 'job="cadvisor"', kubeStateMetricsSelector: 'job="ksm", cluster!=""' }));
    const limit = recordExpr(tuned, 'namespace_team_app_role_pod:spark_k8s_container_memory_limit_bytes:max');
    assert.ok(limit.includes('container_spec_memory_limit_bytes{job="cadvisor", container!=""'), limit);
    assert.ok(limit.includes('kube_pod_container_resource_limits{job="ksm", cluster!="", resource="memory"}'), limit);
    assert.ok(limit.includes('spark_k8s_executor_memory_limit_bytes{job="spark-k8s-exporter"}'), 'the exporter\'s own limit is the last source');
    assert.throws(() => mergeConfig({ cadvisorSelector: 'kubelet' }), /cadvisorSelector/);
    assert.throws(() => mergeConfig({ kubeStateMetricsSelector: '' }), /kubeStateMetricsSelector/);
  });

  it('build the recommended overhead from the advice: margin, floor and history window', () => {
    const name = 'namespace_team_app:spark_k8s_executor_memory_overhead_recommended_bytes:max6h';
    const expr = recordExpr(base, name);
    assert.match(expr, /\[6h\]\)\) \* \(1 \+ 0\.1\)\n/);
    assert.ok(expr.includes('384 * 1048576\n)'), expr);
    const tuned = buildRules(mergeConfig({ advice: { memoryOverheadMargin: 0.25, memoryOverheadMinMiB: 512 }, windows: { memory: '3h' } }));
    const t = recordExpr(tuned, 'namespace_team_app:spark_k8s_executor_memory_overhead_recommended_bytes:max3h');
    assert.match(t, /\[3h\]\)\) \* \(1 \+ 0\.25\)\n/);
    assert.ok(t.includes('512 * 1048576\n)'), t);
    assert.throws(() => mergeConfig({ advice: { memoryOverheadMinMiB: 384.5 } }), /memoryOverheadMinMiB/);
    assert.throws(() => mergeConfig({ advice: { memoryOverheadMargin: -0.1 } }), /memoryOverheadMargin/);
    assert.throws(() => mergeConfig({ advice: { idleTimeout: 300 } }), /advice\.idleTimeout: unknown setting/);
    assert.throws(() => mergeConfig({ thresholds: { memoryNearLimitRatio: 1.5 } }), /memoryNearLimitRatio/);
  });

  it('recommend the configured idle timeout and alert at the configured fraction', () => {
    const tuned = buildRules(mergeConfig({ advice: { executorIdleTimeoutSeconds: 600 }, thresholds: { memoryNearLimitRatio: 0.8 } }));
    const alerts = new Map(tuned.groups.flatMap((g) => g.rules).filter((r) => 'alert' in r).map((r) => ['alert' in r ? r.alert : '', r as { expr: string; annotations: { description: string } }]));
    assert.match(alerts.get('SparkExecutorIdleTimeoutTooLow')?.annotations.description ?? '', /executorIdleTimeout=600s\.$/);
    assert.match(alerts.get('SparkExecutorMemoryNearLimit')?.expr ?? '', /\{role="executor"\} > 0\.8$/);
    assert.match(alerts.get('SparkDriverMemoryNearLimit')?.expr ?? '', /\{role="driver"\} > 0\.8$/);
  });
});
