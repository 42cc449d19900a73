import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CATALOGUE, EXIT_REASONS } from '../../src/catalogue/metrics.js';
import { parseScheduledSparkApplication } from '../../src/domain/scheduled-spark-application.js';
import { MetricsRenderer } from '../../src/metrics/render.js';
import { SelfStats } from '../../src/source/self-stats.js';
import { AppFeeder, apacheApp, kubeflowApp, scheduledApp } from '../support/applications.js';
import { Feeder } from '../support/feed.js';
import { parseExposition, select, value } from '../support/exposition.js';
import { deleting, namespaceObj, oomKilled, quota, running, sparkApplication, sparkPod, terminated, unschedulable, waiting } from '../support/pods.js';

const APP = 'spark-0123456789abcdef0123456789abcdef';

function scenario() {
  const f = new Feeder({ gapGraceMs: 1000 });
  void namespaceObj;
  f.model.namespaces.upsert({ name: 'analytics', team: 'data-eng' });
  const driver = sparkPod({ role: 'driver' });
  f.pod(running(driver, '2026-11-25T10:00:05Z'));
  const e1 = sparkPod({ execId: 1, heap: '4g', memoryRequest: '4505Mi' });
  f.pod(e1);
  f.pod(running(e1, '2026-11-25T10:00:30Z'));
  f.pod(oomKilled(running(e1), '2026-11-25T10:03:00Z'));
  f.deleted(deleting(oomKilled(running(e1))));
  f.pod(unschedulable(sparkPod({ execId: 2 })));
  f.pod(waiting(sparkPod({ execId: 3 }), 'ImagePullBackOff'));
  f.pod(waiting(sparkPod({ execId: 4 }), 'ImagePullBackOff'));
  f.pod(running(sparkPod({ execId: 7 })));
  const done = sparkPod({ execId: 8 });
  f.pod(running(done));
  f.pod(terminated(running(done), 'Completed', 0, '2026-11-25T11:00:00Z'));
  f.quota(quota('analytics', 'spark', { 'requests.cpu': '20', 'requests.memory': '64Gi', pods: '0' }, { 'requests.cpu': '17', 'requests.memory': '48Gi' }));
  f.sparkApp(sparkApplication('analytics', 'nightly', 'RUNNING'));
  f.sparkApp(sparkApplication('analytics', 'broken', 'FAILED'));
  // Retried once (a second submission), and a schedule whose last run is that application.
  f.sparkApp(kubeflowApp('analytics', 'retried', { state: 'RUNNING', submissionAttempts: 1, executionAttempts: 1 }, { restartPolicy: { type: 'OnFailure' } }));
  f.sparkApp(kubeflowApp('analytics', 'retried', { state: 'SUBMITTED', submissionAttempts: 2, executionAttempts: 2, lastSubmissionAttemptTime: '2026-11-25T10:00:00Z' }, { restartPolicy: { type: 'OnFailure' } }));
  const sched = parseScheduledSparkApplication(scheduledApp('analytics', 'hourly', { lastRun: '2026-11-25T10:00:00Z', nextRun: '2026-11-25T11:00:00Z', lastRunName: 'retried' }), 'team');
  assert.ok(sched.ok);
  f.model.scheduledApps.upsert(sched.value, 'watch');
  f.advance(2000); // ids 5 and 6 pass their grace: skipped
  return f;
}

async function render(f: Feeder) {
  const self = new SelfStats('1.2.3', 0, 1);
  self.required.add('pods');
  self.synced.set('pods', true);
  self.watchEvent('pods', 'ADDED', 1_700_000_000_000);
  self.watchRestart('pods', 'expired');
  self.list('pods', 'success');
  self.reject('pods', 'missing_app_id');
  const r = new MetricsRenderer(f.model, self, { maxLabelLength: 128, churnWindowMs: 5 * 60_000, now: () => f.now, processMetrics: false });
  return parseExposition(await r.render('prometheus'));
}

test('every catalogue family is rendered with its type, and each value is what the scenario implies', async () => {
  const f = scenario();
  const p = await render(f);
  for (const def of CATALOGUE) assert.equal(p.types.get(def.name), def.type, def.name);

  const app = { namespace: 'analytics', team: 'data-eng', app_id: APP, app_name: 'etl-daily' };
  assert.equal(value(p, 'spark_k8s_pods', { ...app, role: 'driver', phase: 'Running' }), 1);
  assert.equal(value(p, 'spark_k8s_pods', { ...app, role: 'executor', phase: 'Pending' }), 3);
  assert.equal(value(p, 'spark_k8s_pods', { ...app, role: 'executor', phase: 'Running' }), 1);
  assert.equal(value(p, 'spark_k8s_pods', { ...app, role: 'executor', phase: 'Succeeded' }), 1);
  assert.equal(value(p, 'spark_k8s_executors_pending', { ...app, reason: 'unschedulable' }), 1);
  assert.equal(value(p, 'spark_k8s_executors_pending', { ...app, reason: 'image_pull' }), 2);
  assert.ok(value(p, 'spark_k8s_executor_pending_oldest_age_seconds', app) >= 2);
  assert.equal(value(p, 'spark_k8s_executor_starts_total', app), 6);
  const exits = Object.fromEntries(EXIT_REASONS.map((r) => [r, value(p, 'spark_k8s_executor_exits_total', { ...app, reason: r })]));
  assert.deepEqual(exits, { completed: 1, oom_killed: 1, error: 0, evicted: 0, preempted: 0, deleted: 0 });
  assert.equal(value(p, 'spark_k8s_container_oom_kills_total', { ...app, role: 'executor', container: 'spark-kubernetes-executor' }), 1);
  assert.equal(value(p, 'spark_k8s_container_oom_kills_total', { ...app, role: 'driver', container: 'spark-kubernetes-driver' }), 0, 'exists at zero');
  assert.equal(value(p, 'spark_k8s_executor_ids_skipped_total', app), 2);
  assert.equal(value(p, 'spark_k8s_driver_exits_total', { ...app, reason: 'completed' }), 0, 'driver exit series exist at zero');
  assert.equal(select(p, 'spark_k8s_driver_exits_total', app).length, EXIT_REASONS.length);
  assert.equal(value(p, 'spark_k8s_driver_spot_eligible', app), 0, 'the live driver tolerates no spot taint');
  assert.equal(value(p, 'spark_k8s_executor_memory_overhead_ratio', app), (4505 - 4096) / 4096);
  assert.equal(value(p, 'spark_k8s_executor_memory_request_bytes', app), 4505 * 2 ** 20);
  const named = { namespace: 'analytics', team: 'data-eng', app_name: 'etl-daily' };
  assert.equal(value(p, 'spark_k8s_executor_churn_per_minute', named), 2 / 5);
  assert.equal(value(p, 'spark_k8s_executor_lifetime_seconds_count', named), 2);
  assert.equal(value(p, 'spark_k8s_executor_lifetime_seconds_sum', named), 180 + 3600);
  assert.equal(value(p, 'spark_k8s_executor_lifetime_seconds_bucket', { ...named, le: '300.0' }), 1);
  assert.equal(value(p, 'spark_k8s_executor_lifetime_seconds_bucket', { ...named, le: '+Inf' }), 2);
  // e1 pending then running (30s); e7 and e8 first seen running via the watch (20s each).
  assert.equal(value(p, 'spark_k8s_pod_startup_seconds_count', { namespace: 'analytics', team: 'data-eng', role: 'executor' }), 3);
  assert.equal(value(p, 'spark_k8s_pod_startup_seconds_sum', { namespace: 'analytics', team: 'data-eng', role: 'executor' }), 70);
  assert.equal(value(p, 'spark_k8s_pod_startup_seconds_count', { role: 'driver' }), 1);
  const q = { namespace: 'analytics', team: 'data-eng', quota: 'spark' };
  assert.equal(value(p, 'spark_k8s_quota_hard', { ...q, resource: 'requests.memory' }), 64 * 2 ** 30);
  assert.equal(value(p, 'spark_k8s_quota_used', { ...q, resource: 'requests.memory' }), 48 * 2 ** 30);
  assert.equal(value(p, 'spark_k8s_quota_saturation_ratio', { ...q, resource: 'requests.cpu' }), 17 / 20);
  assert.equal(select(p, 'spark_k8s_quota_saturation_ratio', { resource: 'pods' }).length, 0, 'hard 0 is not a ratio');
  assert.equal(value(p, 'spark_k8s_quota_headroom_executors', app), 0, 'pods: 0 admits none');
  assert.equal(value(p, 'spark_k8s_applications', { namespace: 'analytics', team: 'data-eng', state: 'RUNNING', operator: 'kubeflow' }), 1);
  assert.equal(value(p, 'spark_k8s_application_failures_total', { namespace: 'analytics', app_name: 'broken', state: 'FAILED', reason: 'unknown', operator: 'kubeflow' }), 1);
  assert.equal(value(p, 'spark_k8s_application_retries_total', { namespace: 'analytics', team: 'data-eng', app_name: 'retried', operator: 'kubeflow' }), 1);
  assert.equal(value(p, 'spark_k8s_application_state_seconds', { app_name: 'retried', state: 'SUBMITTED', operator: 'kubeflow' }), 2, 'since lastSubmissionAttemptTime');
  assert.equal(value(p, 'spark_k8s_application_driver_status', { app_name: 'retried', operator: 'kubeflow', driver_status: 'none' }), 1);
  const hourly = { namespace: 'analytics', team: 'data-eng', scheduled_app: 'hourly' };
  assert.equal(value(p, 'spark_k8s_scheduled_application_last_run_timestamp_seconds', hourly), Date.parse('2026-11-25T10:00:00Z') / 1000);
  assert.equal(value(p, 'spark_k8s_scheduled_application_next_run_timestamp_seconds', hourly), Date.parse('2026-11-25T11:00:00Z') / 1000);
  assert.equal(value(p, 'spark_k8s_scheduled_application_last_run_state', { ...hourly, run_name: 'retried', state: 'SUBMITTED' }), 1);
  assert.equal(value(p, 'spark_k8s_scheduled_application_suspended', hourly), 0);
  assert.equal(value(p, 'spark_k8s_exporter_build_info', { version: '1.2.3' }), 1);
  assert.equal(value(p, 'spark_k8s_exporter_watch_events_total', { resource: 'pods', type: 'ADDED' }), 1);
  assert.equal(value(p, 'spark_k8s_exporter_watch_restarts_total', { resource: 'pods', reason: 'expired' }), 1);
  assert.equal(value(p, 'spark_k8s_exporter_list_total', { resource: 'pods', result: 'success' }), 1);
  assert.equal(value(p, 'spark_k8s_exporter_synced', { resource: 'pods' }), 1);
  assert.equal(value(p, 'spark_k8s_exporter_tracked_objects', { resource: 'pods' }), 6);
  assert.equal(value(p, 'spark_k8s_exporter_tracked_applications'), 1);
  assert.equal(value(p, 'spark_k8s_exporter_last_event_timestamp_seconds', { resource: 'pods' }), 1_700_000_000);
  assert.equal(value(p, 'spark_k8s_exporter_objects_rejected_total', { resource: 'pods', reason: 'missing_app_id' }), 1);
  assert.equal(value(p, 'spark_k8s_exporter_audit_drift_total', { resource: 'pods' }), 0);
  assert.equal(value(p, 'spark_k8s_exporter_metrics_render_seconds_count'), 0);
  assert.equal(value(p, 'spark_k8s_exporter_shard_ordinal'), 0);
  assert.equal(value(p, 'spark_k8s_exporter_total_shards'), 1);
});

test('label values are escaped and bounded; env values never appear', async () => {
  const f = new Feeder();
  const evil = sparkPod({ appName: 'x', team: 't' });
  const labels = (evil['metadata'] as Record<string, unknown>)['labels'] as Record<string, string>;
  labels['spark-app-name'] = `quote"back\\slash\nnewline-${'é'.repeat(300)}`;
  f.pod(evil);
  const self = new SelfStats('v');
  const r = new MetricsRenderer(f.model, self, { maxLabelLength: 40, churnWindowMs: 60_000, now: () => f.now, processMetrics: false });
  const text = await r.render('prometheus');
  assert.ok(!text.includes('must-never-be-exported'));
  const p = parseExposition(text);
  const s = select(p, 'spark_k8s_executor_starts_total')[0];
  assert.ok(s);
  assert.equal(Array.from(s.labels['app_name'] ?? '').length, 40);
  assert.ok(s.labels['app_name']?.startsWith('quote"back\\slash\nnewline-é'));
});

test('OpenMetrics: counters as families without _total, units, and # EOF', async () => {
  const f = scenario();
  const r = new MetricsRenderer(f.model, new SelfStats('v'), { maxLabelLength: 128, churnWindowMs: 60_000, now: () => f.now, processMetrics: true });
  const text = await r.render('openmetrics');
  assert.match(text, /^# TYPE spark_k8s_executor_starts counter$/m);
  assert.match(text, /^spark_k8s_executor_starts_total\{/m);
  assert.match(text, /^# UNIT spark_k8s_executor_lifetime_seconds seconds$/m);
  assert.match(text, /^# TYPE process_cpu_user_seconds counter$/m, 'process metrics in OpenMetrics form too');
  assert.ok(text.endsWith('# EOF\n'));
  assert.equal(text.match(/# EOF/g)?.length, 1);
});

test('every sample carries exactly its family\'s catalogue labels, in catalogue order', async () => {
  const f = scenario();
  f.sparkApp(sparkApplication('analytics', 'late', 'SUBMISSION_FAILED'));
  f.sparkApp(sparkApplication('analytics', 'etl-daily', 'RUNNING'));
  const r = new MetricsRenderer(f.model, new SelfStats('v'), { maxLabelLength: 128, churnWindowMs: 60_000, now: () => f.now, processMetrics: false });
  const text = await r.render('prometheus');
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z0-9_:]+)(?:\{(.*)\})? /.exec(line);
    assert.ok(m, line);
    const name = m[1] ?? '';
    const def = CATALOGUE.find((d) => d.name === name || (d.type === 'histogram' && [`${d.name}_bucket`, `${d.name}_sum`, `${d.name}_count`].includes(name)));
    assert.ok(def, `${name} is a catalogue family`);
    const keys = [...(m[2] ?? '').matchAll(/([a-z_]+)="(?:[^"\\]|\\.)*"/g)].map((k) => k[1]);
    const expected = name.endsWith('_bucket') && def.type === 'histogram' ? [...def.labels, 'le'] : [...def.labels];
    assert.deepEqual(keys, expected, line);
    seen.add(def.name);
  }
  // The scenario records nothing for these, so they are rightly empty; every other family must show.
  const mayBeEmpty: readonly string[] = ['spark_k8s_scheduled_application_last_success_timestamp_seconds', 'spark_k8s_exporter_watch_events_total', 'spark_k8s_exporter_watch_restarts_total', 'spark_k8s_exporter_list_total', 'spark_k8s_exporter_synced', 'spark_k8s_exporter_tracked_objects', 'spark_k8s_exporter_last_event_timestamp_seconds', 'spark_k8s_exporter_objects_rejected_total'];
  for (const d of CATALOGUE) assert.ok(seen.has(d.name) || mayBeEmpty.includes(d.name), `${d.name} rendered`);
});

test('a namespace team label that arrives after the pods relabels every series, histories included', async () => {
  const f = new Feeder();
  const e = sparkPod({ execId: 1 });
  f.pod(e);
  f.pod(running(e, '2026-11-25T10:00:20Z'));
  f.deleted(deleting(terminated(running(e), 'Completed', 0, '2026-11-25T10:10:00Z')));
  const before = await render(f);
  assert.equal(select(before, 'spark_k8s_executor_lifetime_seconds_count', { team: '' }).length, 1, 'no team known yet');
  f.model.namespaces.upsert({ name: 'analytics', team: 'late-team' });
  const after = await render(f);
  for (const name of ['spark_k8s_executor_starts_total', 'spark_k8s_executor_lifetime_seconds_count', 'spark_k8s_executor_churn_per_minute', 'spark_k8s_pod_startup_seconds_count']) {
    assert.equal(select(after, name, { team: '' }).length, 0, `${name}: no series left under the empty team`);
    assert.ok(select(after, name, { team: 'late-team' }).length > 0, `${name}: under the namespace's team`);
  }
});

test('startup histories of pods with and without a team label that resolve to one team render as one series', async () => {
  const f = new Feeder();
  f.model.namespaces.upsert({ name: 'analytics', team: 'data-eng' });
  const labelled = sparkPod({ execId: 1, team: 'data-eng' });
  const bare = sparkPod({ execId: 1, appId: 'spark-ffffffffffffffffffffffffffffffff' });
  f.pod(labelled);
  f.pod(running(labelled, '2026-11-25T10:00:10Z'));
  f.pod(bare);
  f.pod(running(bare, '2026-11-25T10:00:30Z'));
  const p = await render(f);
  const counts = select(p, 'spark_k8s_pod_startup_seconds_count', { namespace: 'analytics', role: 'executor' });
  assert.equal(counts.length, 1, 'one series, no duplicate');
  assert.equal(counts[0]?.value, 2);
});

test('executors missing: the SparkApplication\'s floor minus the executors the running app has; settings per SparkApplication', async () => {
  const f = new Feeder();
  f.model.namespaces.upsert({ name: 'analytics', team: 'data-eng' });
  const sa = sparkApplication('analytics', 'etl-daily', 'RUNNING');
  sa['spec'] = { sparkVersion: '3.5.1', executor: { instances: 4 }, sparkConf: { 'spark.dynamicAllocation.executorIdleTimeout': '45s' } };
  f.sparkApp(sa);
  const driver = sparkPod({ role: 'driver' });
  f.pod(driver);
  f.pod(sparkPod({ execId: 1 }));
  let p = await render(f);
  const app = { namespace: 'analytics', app_id: APP, app_name: 'etl-daily' };
  assert.equal(select(p, 'spark_k8s_executors_missing', app).length, 0, 'not while the driver is not running');
  f.pod(running(driver));
  f.pod(running(sparkPod({ execId: 2 })));
  p = await render(f);
  assert.equal(value(p, 'spark_k8s_executors_missing', app), 2, '4 wanted, one pending and one running');
  const da = (setting: string) => value(p, 'spark_k8s_application_dynamic_allocation', { namespace: 'analytics', team: 'data-eng', app_name: 'etl-daily', setting });
  assert.equal(da('enabled'), 0);
  assert.equal(da('executor_idle_timeout_seconds'), 45);
  assert.equal(da('max_executors'), 2_147_483_647, 'Spark\'s Int.MaxValue');
});

test('pod info joins per-pod series to applications; heap and limit per app; the overhead ratio uses the limit (Spark 2.3 requests only the heap)', async () => {
  const f = new Feeder();
  f.model.namespaces.upsert({ name: 'analytics', team: 'data-eng' });
  const e = sparkPod({ execId: 1, heap: '4g' });
  const spec = e['spec'] as { containers: Array<{ resources: { requests: Record<string, string>; limits: Record<string, string> } }> };
  const res = spec.containers[0]?.resources;
  assert.ok(res);
  res.requests['memory'] = '4096Mi'; // 2.3: request = heap, limit = heap + overhead
  res.limits['memory'] = '4505Mi';
  f.pod(running(e));
  f.pod(running(sparkPod({ role: 'driver' })));
  const p = await render(f);
  const info = select(p, 'spark_k8s_pod_info');
  assert.equal(info.length, 2);
  assert.deepEqual(
    info.map((s) => [s.labels['role'], s.labels['container'], s.labels['pod'], s.labels['team'], s.value]).sort(),
    [['driver', 'spark-kubernetes-driver', 'etl-daily-8a1b2c3d4e5f6a7b-driver', 'data-eng', 1], ['executor', 'spark-kubernetes-executor', 'etl-daily-8a1b2c3d4e5f6a7b-exec-1', 'data-eng', 1]],
  );
  const app = { namespace: 'analytics', app_id: APP };
  assert.equal(value(p, 'spark_k8s_executor_heap_bytes', app), 4096 * 2 ** 20);
  assert.equal(value(p, 'spark_k8s_executor_memory_limit_bytes', app), 4505 * 2 ** 20);
  assert.equal(value(p, 'spark_k8s_executor_memory_request_bytes', app), 4096 * 2 ** 20);
  assert.equal(value(p, 'spark_k8s_executor_memory_overhead_ratio', app), (4505 - 4096) / 4096, 'from the limit, not the request');
  const off = new MetricsRenderer(f.model, new SelfStats('v'), { maxLabelLength: 128, churnWindowMs: 60_000, now: () => f.now, processMetrics: false, podInfo: false });
  assert.equal(select(parseExposition(await off.render('prometheus')), 'spark_k8s_pod_info').length, 0, 'can be turned off');
});

test('lifecycle families: state ages within the retention, driver status by the app-name join, both operators, schedules', async () => {
  const f = new AppFeeder({ retentionMs: 10 * 60_000 });
  f.model.namespaces.upsert({ name: 'analytics', team: 'data-eng' });
  // SUBMITTED since 09:40 while its driver backs off on an image pull (joined by the app-name label).
  f.pod(waiting(sparkPod({ role: 'driver', appName: 'stuck', appId: 'spark-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }), 'ImagePullBackOff'));
  f.kubeflow(kubeflowApp('analytics', 'stuck', { state: 'SUBMITTED', submissionAttempts: 1, executionAttempts: 1, lastSubmissionAttemptTime: '2026-11-25T09:40:00Z' }));
  f.kubeflow(kubeflowApp('analytics', 'rerun', { state: 'PENDING_RERUN' }), 'initial');
  f.kubeflow(kubeflowApp('analytics', 'old', { state: 'COMPLETED', terminationTime: '2026-11-24T10:00:00Z' }), 'initial');
  f.kubeflow(kubeflowApp('analytics', 'recent', { state: 'COMPLETED', terminationTime: '2026-11-25T09:58:00Z' }), 'initial');
  f.apache(apacheApp('analytics', 'pi', [{ state: 'Submitted', at: '2026-11-25T09:59:00Z' }, { state: 'DriverRequested', at: '2026-11-25T09:59:30Z' }]));
  f.schedule(scheduledApp('analytics', 'nightly', { lastRun: '2026-11-24T02:00:00Z', nextRun: '2026-11-25T02:00:00Z', lastRunName: 'nightly-1', pastFailedRunNames: ['nightly-1'], pastSuccessfulRunNames: ['nightly-0'] }, true));
  f.kubeflow(kubeflowApp('analytics', 'nightly-0', { state: 'COMPLETED', terminationTime: '2026-11-23T02:30:00Z' }, {}, { 'sparkoperator.k8s.io/scheduled-app-name': 'nightly' }), 'initial');
  f.advance(60_000);
  const r = new MetricsRenderer(f.model, new SelfStats('v'), { maxLabelLength: 128, churnWindowMs: 60_000, now: () => f.now, processMetrics: false });
  const p = parseExposition(await r.render('prometheus'));
  const age = (app: string) => select(p, 'spark_k8s_application_state_seconds', { app_name: app }).map((s) => [s.labels['state'], s.labels['operator'], s.value]);
  assert.deepEqual(age('stuck'), [['SUBMITTED', 'kubeflow', 21 * 60]]);
  assert.deepEqual(age('rerun'), [['PENDING_RERUN', 'kubeflow', 60]], 'no timestamp: since this process first saw it');
  assert.deepEqual(age('old'), [], 'terminal beyond the retention: no series');
  assert.deepEqual(age('recent'), [['COMPLETED', 'kubeflow', 3 * 60]]);
  assert.deepEqual(age('pi'), [['DriverRequested', 'apache', 90]]);
  const driver = (app: string) => select(p, 'spark_k8s_application_driver_status', { app_name: app }).map((s) => s.labels['driver_status']);
  assert.deepEqual(driver('stuck'), ['image_pull']);
  assert.deepEqual(driver('rerun'), ['none']);
  assert.deepEqual(driver('recent'), [], 'terminal applications have no driver status');
  assert.equal(value(p, 'spark_k8s_applications', { state: 'DriverRequested', operator: 'apache', team: 'data-eng' }), 1);
  const nightly = { namespace: 'analytics', team: 'data-eng', scheduled_app: 'nightly' };
  assert.equal(value(p, 'spark_k8s_scheduled_application_last_run_state', { ...nightly, run_name: 'nightly-1', state: 'FAILED' }), 1, 'the run object is gone: the schedule\'s failed list says');
  assert.equal(value(p, 'spark_k8s_scheduled_application_last_success_timestamp_seconds', nightly), Date.parse('2026-11-23T02:30:00Z') / 1000);
  assert.equal(value(p, 'spark_k8s_scheduled_application_suspended', nightly), 1);
});
