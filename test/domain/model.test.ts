import assert from 'node:assert/strict';
import { test } from 'node:test';
import { headroomExecutors, parseQuota } from '../../src/domain/quota.js';
import { relist } from '../../src/domain/relist.js';
import { parseSparkApplication } from '../../src/domain/spark-application.js';
import { Feeder } from '../support/feed.js';
import { deleting, disrupted, oomKilled, quota, running, sparkApplication, sparkPod, terminated, unschedulable, waiting } from '../support/pods.js';

test('an OOMKill followed by DELETE counts one OOMKill and one oom_killed exit', () => {
  const f = new Feeder();
  const p = sparkPod({ execId: 1 });
  f.pod(p);
  f.pod(running(p));
  const oom = oomKilled(running(p));
  f.pod(oom);
  f.pod(oom); // duplicate MODIFIED
  f.deleted(deleting(oom));
  assert.equal(f.oom(), 1);
  assert.equal(f.exits('oom_killed'), 1);
  assert.equal(f.exits('deleted'), 0);
  assert.equal(f.app().starts, 1);
  assert.equal(f.model.pods.records.size, 0);
});

test('an OOMKill seen only in the DELETED object still counts once', () => {
  const f = new Feeder();
  const p = sparkPod();
  f.pod(running(p));
  f.deleted(oomKilled(p));
  assert.equal(f.oom(), 1);
  assert.equal(f.exits('oom_killed'), 1);
});

test('duplicate ADDED events and a relist count a start once', () => {
  const f = new Feeder();
  const p = sparkPod({ execId: 1 });
  f.pod(p);
  f.pod(p);
  f.relist([running(p)]);
  f.relist([running(p)]);
  assert.equal(f.app().starts, 1);
});

test('a relist after 410 counts what happened during the gap once, and only once', () => {
  const f = new Feeder();
  const a = sparkPod({ execId: 1 });
  const b = sparkPod({ execId: 2 });
  f.pod(running(a));
  f.pod(running(b));
  // While disconnected: a was OOMKilled (still present), b vanished, c was created.
  const c = sparkPod({ execId: 3 });
  const r1 = f.relist([oomKilled(a), running(c)]);
  assert.deepEqual(r1, { added: 1, removed: 1, changed: 1 });
  assert.equal(f.oom(), 1);
  assert.equal(f.exits('oom_killed'), 1);
  assert.equal(f.exits('deleted'), 1, 'b ended unseen: deleted');
  assert.equal(f.app().starts, 3);
  // A second identical relist (another 410) changes nothing.
  assert.deepEqual(f.relist([oomKilled(a), running(c)]), { added: 0, removed: 0, changed: 0 });
  assert.equal(f.oom(), 1);
  assert.equal(f.app().starts, 3);
});

test('a restarted exporter does not count again what ended before it started', () => {
  const f = new Feeder();
  const dead = oomKilled(sparkPod({ execId: 1 }));
  const live = running(sparkPod({ execId: 2 }));
  const pending = unschedulable(sparkPod({ execId: 3 }));
  f.relist([dead, live, pending], 'initial');
  assert.equal(f.oom(), 0);
  assert.equal(f.exits('oom_killed'), 0);
  assert.equal(f.app().starts, 0);
  // Its deletion later is not a new exit either.
  f.deleted(deleting(dead));
  assert.equal(f.exits('oom_killed'), 0);
  assert.equal(f.exits('deleted'), 0);
  // But what happens after the start is counted.
  f.pod(oomKilled(live));
  assert.equal(f.oom(), 1);
  assert.equal(f.exits('oom_killed'), 1);
  // The pending pod's startup was witnessed by this process; the running one's was not.
  f.pod(running(pending, '2026-11-25T10:00:45Z'));
  const startup = [...f.model.pods.startups.values()].find((s) => s.role === 'executor');
  assert.equal(startup?.hist.count, 1);
  assert.equal(startup?.hist.sum, 45);
});

test('exit reasons: completed, error, deleted (idle scale-down), preempted, evicted', () => {
  const f = new Feeder();
  const done = sparkPod({ execId: 1 });
  f.pod(running(done));
  f.pod(terminated(running(done), 'Completed', 0));
  const failed = sparkPod({ execId: 2 });
  f.pod(running(failed));
  f.pod(terminated(running(failed), 'Error', 1));
  const idle = sparkPod({ execId: 3 });
  f.pod(running(idle));
  f.pod(deleting(running(idle)));
  f.pod(terminated(deleting(running(idle)), 'Error', 143));
  f.deleted(terminated(deleting(running(idle)), 'Error', 143));
  const spot = sparkPod({ execId: 4 });
  f.pod(running(spot));
  f.pod(disrupted(spot, 'TerminationByKubelet', 'Terminated'));
  const evicted = sparkPod({ execId: 5 });
  f.pod(running(evicted));
  f.deleted(disrupted(evicted, 'EvictionByEvictionAPI'));
  const vanished = sparkPod({ execId: 6 });
  f.pod(running(vanished));
  f.deleted(running(vanished));
  assert.deepEqual(f.app().exits, [1, 0, 1, 1, 1, 2]);
});

test('lifetimes from creation to end, and churn over the sliding window', () => {
  const f = new Feeder({ churnWindowMs: 5 * 60_000 });
  for (let i = 1; i <= 4; i++) {
    const p = sparkPod({ execId: i, created: '2026-11-25T10:00:00Z' });
    f.pod(running(p));
    f.pod(terminated(running(p), 'Completed', 0, `2026-11-25T10:0${i}:00Z`));
  }
  const stats = [...f.model.pods.names.values()][0];
  assert.ok(stats);
  assert.equal(stats.lifetimes.count, 4);
  assert.equal(stats.lifetimes.sum, 60 + 120 + 180 + 240);
  assert.deepEqual(stats.lifetimes.cumulative().slice(0, 4), [0, 1, 2, 4], 'le 30, 60, 120, 300');
  assert.equal(stats.exitTimes.length, 4);
  f.advance(5 * 60_000 + 1);
  assert.equal(stats.exitTimes.length, 0, 'exits slide out of the window');
});

test('executor ids never seen become skipped after a grace period; late arrivals do not', () => {
  const f = new Feeder({ gapGraceMs: 30_000 });
  f.pod(sparkPod({ role: 'driver' }));
  f.pod(sparkPod({ execId: 1 }));
  f.pod(sparkPod({ execId: 5 })); // 2, 3, 4 missing so far
  f.advance(10_000);
  f.pod(sparkPod({ execId: 3 })); // arrives late
  assert.equal(f.app().ids.skipped, 0);
  f.advance(30_000);
  assert.equal(f.app().ids.skipped, 2);
  f.advance(60_000);
  assert.equal(f.app().ids.skipped, 2, 'counted once');
});

test('an app seen first in the initial list does not count gaps from before the start', () => {
  const f = new Feeder({ gapGraceMs: 1 });
  f.relist([sparkPod({ execId: 40 }), sparkPod({ execId: 7 })], 'initial');
  f.advance(10);
  assert.equal(f.app().ids.skipped, 0);
  f.pod(sparkPod({ execId: 43 }));
  f.advance(10);
  assert.equal(f.app().ids.skipped, 2);
});

test('an application\'s series go a retention period after its last pod', () => {
  const f = new Feeder({ retentionMs: 10 * 60_000 });
  const p = sparkPod();
  f.pod(running(p));
  f.deleted(running(p));
  f.advance(9 * 60_000);
  assert.equal(f.model.pods.apps.size, 1);
  f.advance(60_000);
  assert.equal(f.model.pods.apps.size, 0);
  f.advance(60_000);
  assert.equal(f.model.pods.names.size, 0);
});

test('team comes from the pod label, else from the namespace label', () => {
  const f = new Feeder();
  f.model.namespaces.upsert({ name: 'analytics', team: 'ns-team' });
  f.pod(sparkPod({ appId: 'spark-a' }));
  assert.equal(f.model.teamOf(f.app('spark-a')), 'ns-team');
  f.pod(sparkPod({ appId: 'spark-b', team: 'pod-team' }));
  assert.equal(f.model.teamOf(f.app('spark-b')), 'pod-team');
});

test('quota headroom: the tightest resource over all quotas, a limits.cpu quota without CPU limits admitting none', () => {
  const q = parseQuota(quota('ns', 'q', { 'requests.memory': '100Gi', 'requests.cpu': '40', pods: '100' }, { 'requests.memory': '80Gi', 'requests.cpu': '10', pods: '10' }), 'team');
  assert.ok(q.ok);
  const shape = { cpuRequest: 2, cpuLimit: undefined, memoryRequest: 4505 * 2 ** 20, memoryLimit: 4505 * 2 ** 20 };
  assert.equal(headroomExecutors([q.value], shape), 4, 'floor(20Gi / 4505Mi)');
  const strict = parseQuota(quota('ns', 'q2', { 'limits.cpu': '100' }, {}), 'team');
  assert.ok(strict.ok);
  assert.equal(headroomExecutors([q.value, strict.value], shape), 0);
  assert.equal(headroomExecutors([], shape), undefined);
});

test('quota quantities that do not parse are reported, the rest kept', () => {
  const q = parseQuota(quota('ns', 'q', { 'requests.cpu': '10', 'requests.memory': 'lots' }, { 'requests.cpu': '2.5' }), 'team');
  assert.ok(q.ok);
  assert.deepEqual([...q.value.hard], [['requests.cpu', 10]]);
  assert.deepEqual(q.value.badQuantities, ['requests.memory=lots']);
});

test('SparkApplication failures count once per failed attempt, not for failures before the start', () => {
  const f = new Feeder();
  f.sparkApp(sparkApplication('ns', 'old', 'FAILED'), 'initial');
  f.sparkApp(sparkApplication('ns', 'job', 'RUNNING'));
  f.sparkApp(sparkApplication('ns', 'job', 'FAILED', 's1'));
  f.sparkApp(sparkApplication('ns', 'job', 'FAILED', 's1'));
  f.sparkApp(sparkApplication('ns', 'job', 'PENDING_RERUN', 's1'));
  f.sparkApp(sparkApplication('ns', 'job', 'FAILED', 's2'));
  const failures = [...f.model.sparkApps.failures.values()];
  assert.deepEqual(failures.map((x) => [x.name, x.state, x.count]), [['job', 'FAILED', 2]]);
});

test('pending executors keep their reason until they run', () => {
  const f = new Feeder();
  const p = sparkPod();
  f.pod(waiting(p, 'ImagePullBackOff'));
  const rec = [...f.model.pods.records.values()][0];
  assert.equal(rec?.pendingReason, 'image_pull');
  f.pod(running(p));
  assert.equal(rec?.pendingReason, undefined);
  assert.equal(rec?.phase, 'Running');
});

test('driver exits are counted once with the same causes; a preempted driver shows as preempted', () => {
  const f = new Feeder();
  const d = sparkPod({ role: 'driver' });
  f.pod(running(d));
  assert.deepEqual(f.app().driverExits, [0, 0, 0, 0, 0, 0]);
  assert.equal(f.app().hasDriver, true);
  f.pod(disrupted(d, 'TerminationByKubelet', 'Terminated'));
  f.pod(disrupted(d, 'TerminationByKubelet', 'Terminated'));
  f.deleted(disrupted(d, 'TerminationByKubelet', 'Terminated'));
  assert.deepEqual(f.app().driverExits, [0, 0, 0, 0, 1, 0]);
  assert.deepEqual(f.app().exits, [0, 0, 0, 0, 0, 0], 'executor exits untouched');
  assert.equal(f.model.pods.names.size === 0 || [...f.model.pods.names.values()].every((n) => n.lifetimes.count === 0), true, 'no executor lifetime');
  const oomDriver = sparkPod({ role: 'driver', appId: 'spark-other' });
  f.pod(running(oomDriver));
  f.deleted(oomKilled(oomDriver));
  assert.deepEqual(f.app('spark-other').driverExits, [0, 1, 0, 0, 0, 0]);
  assert.equal(f.oom('driver', 'spark-kubernetes-driver', 'spark-other'), 1);
});

test('spot eligibility follows the live driver and goes with it', () => {
  const f = new Feeder();
  const d = sparkPod({ role: 'driver' });
  ((d['spec'] as Record<string, unknown>)['tolerations'] as unknown[]).push({ key: 'cloud.google.com/gke-spot', operator: 'Exists' });
  f.pod(running(d));
  assert.equal(f.app().driverSpotEligible, true);
  f.pod(terminated(running(d), 'Completed', 0));
  assert.equal(f.app().driverSpotEligible, undefined);
  assert.deepEqual(f.app().driverExits, [1, 0, 0, 0, 0, 0]);
});

test('one relist serves every resource: a SparkApplication that changed state while unseen counts as changed drift', () => {
  const f = new Feeder();
  const views = (objs: ReturnType<typeof sparkApplication>[]) =>
    objs.map((o) => {
      const r = parseSparkApplication(o, 'team');
      assert.ok(r.ok);
      return r.value;
    });
  assert.deepEqual(relist(f.model.sparkApps, views([sparkApplication('a', 'x', 'RUNNING'), sparkApplication('a', 'y', 'RUNNING')]), 'initial', f.now), { added: 2, removed: 0, changed: 0 });
  const r = relist(f.model.sparkApps, views([sparkApplication('a', 'x', 'FAILED'), sparkApplication('a', 'z', 'SUBMITTED')]), 'relist', f.now);
  assert.deepEqual(r, { added: 1, removed: 1, changed: 1 });
  assert.equal([...f.model.sparkApps.failures.values()].reduce((n, x) => n + x.count, 0), 1, 'the failure seen by the relist counts once');
  assert.deepEqual(relist(f.model.sparkApps, views([sparkApplication('a', 'x', 'FAILED'), sparkApplication('a', 'z', 'SUBMITTED')]), 'relist', f.now), { added: 0, removed: 0, changed: 0 });
});

test('one relist for quotas and namespaces too, scoped to a namespace when the list is', () => {
  const f = new Feeder();
  const q = (ns: string, name: string, used: string) => {
    const r = parseQuota(quota(ns, name, { pods: '10' }, { pods: used }), 'team');
    assert.ok(r.ok);
    return r.value;
  };
  relist(f.model.quotas, [q('a', 'q1', '1'), q('b', 'q2', '1')], 'initial', f.now);
  assert.deepEqual(relist(f.model.quotas, [q('a', 'q1', '2')], 'relist', f.now, 'a'), { added: 0, removed: 0, changed: 1 }, 'b untouched by a list of a');
  assert.equal(f.model.quotas.byUid.size, 2);
  assert.deepEqual(relist(f.model.namespaces, [{ name: 'a', team: 't' }, { name: 'b', team: undefined }], 'initial', f.now), { added: 2, removed: 0, changed: 0 });
  assert.deepEqual(relist(f.model.namespaces, [{ name: 'a', team: 'u' }], 'relist', f.now), { added: 0, removed: 1, changed: 1 });
  assert.equal(f.model.namespaces.teamOf('a'), 'u');
});
