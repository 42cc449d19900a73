import { test } from 'node:test';
import assert from 'node:assert/strict';
import { World } from '../../src/sim/world.js';
import { median } from '../../src/sim/truth.js';
import { parseQuantity } from '../../src/sim/quantity.js';
import type { Pod, ResourceQuotaObj } from '../../src/sim/types.js';
import type { ScenarioName } from '../../src/sim/scenarios.js';

const START = Date.UTC(2025, 0, 1);
const MIN = 60_000;

function run(scenario: ScenarioName, minutes: number, seed = 11): World {
  const w = new World({ scenario, seed, startMs: START });
  w.advance(minutes * MIN);
  return w;
}

test('steady: healthy apps, no OOM, no rejections, executors live long', () => {
  const w = run('steady', 40);
  const t = w.truth.totals();
  assert.ok(t.executorStarts >= 8, `executors started: ${t.executorStarts}`);
  assert.equal(t.oomKills.executor + t.oomKills.driver, 0);
  assert.equal(t.skippedIds, 0);
  assert.equal(t.exits.preempted + t.exits.error, 0);
  const running = [...w.cluster.store.list('pods')].filter((p) => (p as Pod).status.phase === 'Running' && p.metadata.labels?.['spark-role'] === 'executor');
  assert.ok(running.length >= 8, `running executors: ${running.length}`);
  // Most executors are still alive after 40 simulated minutes.
  assert.ok(t.exits.deleted + t.exits.completed < t.executorStarts, JSON.stringify(t));
});

test('oom: executors end OOMKilled with exit 137 and the driver deletes them', () => {
  const w = new World({ scenario: 'oom', seed: 5, startMs: START });
  const shapes: Pod[] = [];
  const deletedAfterOom = new Set<string>();
  w.cluster.store.subscribe((ev) => {
    const p = ev.obj as Pod;
    if (ev.resource !== 'pods') return;
    const term = p.status.containerStatuses?.[0]?.state.terminated;
    if (ev.type === 'MODIFIED' && term?.reason === 'OOMKilled' && !p.metadata.deletionTimestamp && p.metadata.labels?.['spark-role'] === 'executor') shapes.push(p);
    if (ev.type === 'DELETED' && term?.reason === 'OOMKilled') deletedAfterOom.add(p.metadata.name);
  });
  w.advance(30 * MIN);
  const t = w.truth.totals();
  assert.ok(t.oomKills.executor >= 3, `executor OOMKills: ${t.oomKills.executor}`);
  assert.equal(t.exits.oom_killed, t.oomKills.executor);
  assert.ok(shapes.length >= t.oomKills.executor - 1);
  const s = shapes[0];
  assert.ok(s);
  const cs = s.status.containerStatuses?.[0];
  assert.equal(s.status.phase, 'Failed');
  assert.equal(cs?.state.terminated?.exitCode, 137);
  assert.ok(cs?.state.terminated?.startedAt && cs.state.terminated.finishedAt);
  assert.deepEqual(cs?.lastState, {});
  assert.equal(cs?.restartCount, 0);
  assert.ok(deletedAfterOom.size >= 1, 'OOMKilled executors are deleted afterwards');
  // Truth per app carries identity.
  const app = [...w.truth.apps.values()].find((a) => a.oomKills.executor > 0);
  assert.match(app?.appId ?? '', /^spark-[0-9a-f]{32}$/);
  assert.equal(app?.team, 'data-eng');
});

test('quota-crunch: quota at least 85% used and executor ids skipped', () => {
  const w = run('quota-crunch', 15);
  const q = w.cluster.store.get('resourcequotas', 'reporting', 'reporting-compute') as ResourceQuotaObj;
  const ratio = parseQuantity(q.status.used['requests.memory'] ?? '0') / parseQuantity(q.status.hard['requests.memory'] ?? '1');
  assert.ok(ratio >= 0.85, `requests.memory saturation ${ratio}`);
  const t = w.truth.totals();
  assert.ok(t.skippedIds > 0, 'ids burned by rejected creates');
  // A skipped id never shows up as a pod.
  const reporting = [...w.truth.apps.values()].filter((a) => a.namespace === 'reporting' && a.skippedIds.length > 0);
  assert.ok(reporting.length > 0);
  for (const a of reporting) {
    for (const id of a.skippedIds) {
      const exists = [...w.cluster.store.list('pods', 'reporting')].some((p) => p.metadata.labels?.['spark-app-selector'] === a.appId && p.metadata.labels['spark-exec-id'] === String(id));
      assert.equal(exists, false);
    }
  }
});

test('churn: idle timeout too low gives a median executor lifetime under 5 minutes', () => {
  const w = run('churn', 60);
  const lifetimes = w.truth.lifetimes();
  assert.ok(lifetimes.length >= 20, `ended executors: ${lifetimes.length}`);
  assert.ok(median(lifetimes) < 300, `median lifetime ${median(lifetimes)}s`);
  assert.ok(w.truth.totals().exits.deleted >= 20);
});

test('spot-preemption: preempted exits with the DisruptionTarget shape', () => {
  const w = new World({ scenario: 'spot-preemption', seed: 2, startMs: START });
  let shape: Pod | undefined;
  w.cluster.store.subscribe((ev) => {
    const p = ev.obj as Pod;
    if (ev.resource === 'pods' && ev.type === 'MODIFIED' && p.status.reason === 'Terminated') shape ??= p;
  });
  w.advance(20 * MIN);
  const t = w.truth.totals();
  assert.ok(t.preemptedNodes >= 2, `nodes preempted ${t.preemptedNodes}`);
  assert.ok(t.exits.preempted >= 1);
  assert.ok(shape);
  assert.equal(shape.status.phase, 'Failed');
  assert.equal(shape.status.conditions?.find((c) => c.type === 'DisruptionTarget')?.reason, 'TerminationByKubelet');
  assert.equal(shape.status.containerStatuses?.[0]?.state.terminated?.exitCode, 143);
});

test('image-pull: executors sit pending in ImagePullBackOff', () => {
  const w = run('image-pull', 5);
  const waiting = [...w.cluster.store.list('pods', 'ingest')]
    .map((p) => (p as Pod).status.containerStatuses?.[0]?.state.waiting?.reason)
    .filter((r) => r === 'ImagePullBackOff' || r === 'ErrImagePull');
  assert.ok(waiting.length >= 2, `pods failing to pull: ${waiting.length}`);
});

test('demo: several teams, SparkApplications and a mix of signals', () => {
  const w = run('demo', 30);
  const teams = new Set([...w.truth.apps.values()].map((a) => a.team));
  assert.ok(teams.size >= 4);
  assert.ok([...w.cluster.store.list('sparkapplications')].length >= 2);
  const t = w.truth.totals();
  assert.ok(t.oomKills.executor > 0 && t.skippedIds > 0 && t.exits.deleted > 0, JSON.stringify(t));
});

test('same seed, same story', () => {
  const a = run('demo', 10, 99).truth.totals();
  const b = run('demo', 10, 99).truth.totals();
  assert.deepEqual(a, b);
});

test('executor pods are realistic: labels, env, owner, 5-10 KB of JSON', () => {
  const w = run('steady', 5);
  const ex = [...w.cluster.store.list('pods')].find((p) => p.metadata.labels?.['spark-role'] === 'executor' && (p as Pod).status.phase === 'Running') as Pod | undefined;
  assert.ok(ex);
  const size = JSON.stringify(ex).length;
  assert.ok(size >= 5000 && size <= 10_000, `pod JSON ${size} bytes`);
  for (const l of ['spark-app-selector', 'spark-app-name', 'spark-exec-id', 'spark-exec-resourceprofile-id', 'spark-version']) assert.ok(ex.metadata.labels?.[l], l);
  assert.match(ex.metadata.name, /-exec-\d+$/);
  assert.equal(ex.metadata.ownerReferences?.[0]?.kind, 'Pod');
  const c = ex.spec.containers[0];
  assert.equal(c?.name, 'spark-kubernetes-executor');
  const env = (c?.['env'] as Array<{ name: string; value?: string }>).map((e) => e.name);
  for (const e of ['SPARK_EXECUTOR_MEMORY', 'SPARK_EXECUTOR_CORES', 'SPARK_APPLICATION_ID', 'SPARK_EXECUTOR_ID', 'SPARK_DRIVER_URL']) assert.ok(env.includes(e), e);
  assert.equal(c?.resources?.requests?.['memory'], c?.resources?.limits?.['memory']);
});
