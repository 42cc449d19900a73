import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CATALOGUE, type MetricDef } from '../../src/catalogue/metrics.js';
import { ExpositionWriter, LabelEncoder } from '../../src/metrics/exposition.js';
import { FamilyBinder, type FamilyRenderer } from '../../src/metrics/family.js';

// Compile-time checks: each `@ts-expect-error` fails the build if the types stop catching it.
export const exitsChecked = {
  scope: 'app',
  render(_app, out) {
    out.sample(['oom_killed'], 1);
    // @ts-expect-error exits carry exactly one label beyond the application's
    out.sample([], 1);
    // @ts-expect-error and not two
    out.sample(['oom_killed', 'x'], 1);
  },
} satisfies FamilyRenderer<'spark_k8s_executor_exits_total'>;

export const quotaPerAppChecked = {
  scope: 'app',
  render(_app, out) {
    // @ts-expect-error quotas carry no application labels: no per-application values fit
    out.sample(['requests.cpu'], 1);
  },
} satisfies FamilyRenderer<'spark_k8s_quota_hard'>;

export const quotaChecked = {
  scope: 'cluster',
  render(_ctx, out) {
    out.sample(['ns', 'team', 'quota', 'requests.cpu'], 1);
    // @ts-expect-error a gauge has no histogram samples
    out.histogram(['ns', 'team', 'quota', 'requests.cpu'], { buckets: [], sum: 0, count: 0, cumulative: () => [] });
  },
} satisfies FamilyRenderer<'spark_k8s_quota_hard'>;

function def(name: string): MetricDef {
  const d = (CATALOGUE as readonly MetricDef[]).find((m) => m.name === name);
  assert.ok(d);
  return d;
}

test('a binder writes the catalogue\'s label names with the values it is handed', () => {
  const w = new ExpositionWriter('prometheus');
  const b = new FamilyBinder(def('spark_k8s_executor_exits_total'), w, new LabelEncoder(128), true);
  b.forApp('namespace="a",team="t",app_id="i",app_name="n"').out.sample(['oom_killed'], 3);
  new FamilyBinder(def('spark_k8s_quota_hard'), w, new LabelEncoder(128), false).out.sample(['a', 't', 'q', 'x"y'], 1);
  assert.equal(w.finish(), 'spark_k8s_executor_exits_total{namespace="a",team="t",app_id="i",app_name="n",reason="oom_killed"} 3\nspark_k8s_quota_hard{namespace="a",team="t",quota="q",resource="x\\"y"} 1\n');
});

test('a binder refuses values that do not match the labels, rather than write a wrong series', () => {
  const w = new ExpositionWriter('prometheus');
  const b = new FamilyBinder(def('spark_k8s_quota_hard'), w, new LabelEncoder(128), false);
  assert.throws(() => b.out.sample(['a', 't', 'q'], 1), /3 label values for 4 labels/);
});
