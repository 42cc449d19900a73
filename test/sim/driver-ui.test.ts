/**
 * The simulated drivers' UIs serve Spark's exact formats: PrometheusResource of 3.5 and 4.x
 * (labels in Spark's order and spacing, no HELP/TYPE, the 4.x concurrent GC pair) and the
 * PrometheusServlet's names with the app id inside unless spark.metrics.namespace is set; the
 * discovery lists every driver Service port with the labels Kubernetes SD would attach.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startSimulator } from '../../src/sim/index.js';
import { javaDouble, prometheusResource, prometheusServlet, servletPrefix } from '../../src/sim/spark-metrics.js';
import type { DriverView } from '../../src/sim/spark.js';

const view: DriverView = {
  namespace: 'etl', appId: 'spark-0123456789abcdef0123456789abcdef', appName: 'Daily ETL', driverPod: 'daily-etl-driver',
  serviceName: 'daily-etl-6d3f1c8e2b1a4c5d-driver-svc', sparkVersion: '3.5.1', metricsNamespace: undefined, target: 5, cores: 2,
  driverStartedAt: 0, executors: [{ id: 1, startedAt: 10_000, taskMs: 12_345, activeTasks: 2 }], killedByDriver: 1, exitedUnexpectedly: 0,
};

describe('Spark metrics formats', () => {
  it('prints doubles as Java does', () => {
    assert.deepEqual([0, 12.345, 3, 0.231, 12_345_678, 0.0001].map(javaDouble), ['0.0', '12.345', '3.0', '0.231', '1.2345678E7', '1.0E-4']);
  });

  it('serves PrometheusResource lines in the 3.5 format', () => {
    const lines = prometheusResource(view, 60_000).trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^spark_info\{version="3\.5\.1", revision="[0-9a-f]{40}"\} 1\.0$/);
    assert.equal(lines[1], 'metrics_executor_rddBlocks{application_id="spark-0123456789abcdef0123456789abcdef", application_name="Daily ETL", executor_id="driver"} 0');
    assert.ok(lines.includes('metrics_executor_totalDuration_seconds_total{application_id="spark-0123456789abcdef0123456789abcdef", application_name="Daily ETL", executor_id="1"} 12.345'));
    assert.ok(lines.includes('metrics_executor_activeTasks{application_id="spark-0123456789abcdef0123456789abcdef", application_name="Daily ETL", executor_id="1"} 2'));
    assert.ok(!lines.some((l) => l.startsWith('#') || l.includes('ConcurrentGC')));
    // Per executor: 15 summary + 4 memory + 16 peak memory + 4 GC lines; two executors (driver, 1).
    assert.equal(lines.length, 1 + 2 * 39);
  });

  it('adds the concurrent GC pair on 4.x, in Spark\'s order', () => {
    const lines = prometheusResource({ ...view, sparkVersion: '4.0.1' }, 60_000).trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^spark_info\{version="4\.0\.1", /);
    const names = lines.filter((l) => l.includes('executor_id="1"')).map((l) => l.slice(0, l.indexOf('{')));
    assert.deepEqual(names.slice(-6), [
      'metrics_executor_MinorGCCount_total', 'metrics_executor_MajorGCCount_total', 'metrics_executor_ConcurrentGCCount_total',
      'metrics_executor_MinorGCTime_seconds_total', 'metrics_executor_MajorGCTime_seconds_total', 'metrics_executor_ConcurrentGCTime_seconds_total',
    ]);
  });

  it('names servlet metrics after the app id, or after spark.metrics.namespace', () => {
    const text = prometheusServlet(view);
    assert.ok(text.includes('metrics_spark_0123456789abcdef0123456789abcdef_driver_ExecutorAllocationManager_executors_numberTargetExecutors_Value{type="gauges"} 5\n'));
    assert.ok(text.includes('metrics_spark_0123456789abcdef0123456789abcdef_driver_ExecutorAllocationManager_executors_numberAllExecutors_Number{type="gauges"} 1\n'));
    assert.ok(text.includes('metrics_spark_0123456789abcdef0123456789abcdef_driver_ExecutorAllocationManager_executors_numberExecutorsKilledByDriver_Count{type="counters"} 1\n'));
    const named = prometheusServlet({ ...view, metricsNamespace: 'etl.daily-etl' });
    assert.ok(named.includes('metrics_etl_daily_etl_driver_ExecutorAllocationManager_executors_numberTargetExecutors_Value{type="gauges"} 5\n'));
    assert.ok(!named.includes('0123456789abcdef'));
    assert.equal(servletPrefix('a-b.c'), 'metrics_a_b_c_');
  });
});

describe('simulated driver UIs', () => {
  it('serve running drivers and list their Service ports for discovery', async () => {
    const sim = await startSimulator({ scenario: 'quota-crunch', speed: 1, seed: 3, driverUi: true, sparkVersion: '4.0.1' });
    try {
      sim.cluster.advance(180_000);
      const base = sim.driverUiUrl ?? '';
      const groups = (await (await fetch(`${base}/sd`)).json()) as Array<{ targets: string[]; labels: Record<string, string> }>;
      const ui = groups.filter((g) => g.labels['__meta_kubernetes_endpoint_port_name'] === 'spark-ui');
      assert.ok(ui.length >= 2, `only ${ui.length} drivers running`);
      assert.equal(groups.length, ui.length * 3, 'one target per Service port');
      const g = ui[0];
      assert.ok(g);
      assert.match(g.labels['__meta_kubernetes_service_label_spark_app_selector'] ?? '', /^spark-[0-9a-f]{32}$/);
      assert.match(g.labels['__meta_kubernetes_service_name'] ?? '', /-driver-svc$/);
      const driver = encodeURIComponent(g.labels['__param_driver'] ?? '');
      const res = await fetch(`${base}/metrics/executors/prometheus?driver=${driver}`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      assert.match(await res.text(), /metrics_executor_ConcurrentGCTime_seconds_total\{application_id="spark-/);
      const servlet = await (await fetch(`${base}/metrics/prometheus?driver=${driver}`)).text();
      assert.match(servlet, /_driver_ExecutorAllocationManager_executors_numberTargetExecutors_Value\{type="gauges"\} \d+\n/);
      // The operator-run app with spark.metrics.namespace: no app id in its names.
      const named = ui.find((x) => x.labels['__param_driver'] === 'reporting/month-end-0-driver');
      assert.ok(named, 'month-end-0 is not running');
      assert.match(await (await fetch(`${base}/metrics/prometheus?driver=${encodeURIComponent('reporting/month-end-0-driver')}`)).text(), /^metrics_reporting_month_end_0_driver_/m);
      assert.equal((await fetch(`${base}/metrics/prometheus?driver=nope/nope`)).status, 404);
    } finally {
      await sim.close();
    }
  });
});
