import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSparkPod, type SparkPodView } from '../../src/domain/spark-pod.js';
import { deleting, disrupted, gated, oomKilled, running, sparkPod, terminated, unschedulable, waiting, type Obj } from '../support/pods.js';

function view(o: Obj): SparkPodView {
  const r = parseSparkPod(o, 'team');
  assert.ok(r.ok, `expected a Spark pod: ${JSON.stringify(r)}`);
  return r.value;
}

test('reads identity, role, app and executor id from Spark labels', () => {
  const v = view(sparkPod({ execId: 7, team: 'data', namespace: 'ns1' }));
  assert.equal(v.role, 'executor');
  assert.equal(v.appId, 'spark-0123456789abcdef0123456789abcdef');
  assert.equal(v.appName, 'etl-daily');
  assert.equal(v.execId, 7);
  assert.equal(v.team, 'data');
  assert.equal(v.namespace, 'ns1');
  assert.equal(v.phase, 'Pending');
  assert.equal(v.sparkContainer, 'spark-kubernetes-executor');
  assert.equal(v.heapBytes, 4 * 2 ** 30);
  assert.equal(v.memoryRequestBytes, 4505 * 2 ** 20);
  assert.equal(v.cpuRequest, 2);
  assert.equal(v.createdMs, Date.parse('2026-11-25T10:00:00Z'));
});

test('prefers the operator app-name label, and derives the name from the pod name before Spark 3.4', () => {
  const op = sparkPod();
  ((op['metadata'] as Obj)['labels'] as Record<string, string>)['sparkoperator.k8s.io/app-name'] = 'Nightly_ETL';
  assert.equal(view(op).appName, 'Nightly_ETL');
  const old = sparkPod({ appName: 'legacy-job' });
  delete ((old['metadata'] as Obj)['labels'] as Record<string, string>)['spark-app-name'];
  assert.equal(view(old).appName, 'legacy-job');
});

test('the EXECID placeholder is tolerated as no executor id', () => {
  assert.equal(view(sparkPod({ execId: 'EXECID' })).execId, undefined);
});

test('pending reasons', () => {
  const p = sparkPod();
  assert.equal(view(unschedulable(p)).pendingReason, 'unschedulable');
  assert.equal(view(gated(p)).pendingReason, 'scheduling_gated');
  assert.equal(view(waiting(p, 'ContainerCreating')).pendingReason, 'container_creating');
  assert.equal(view(waiting(p, 'ErrImagePull')).pendingReason, 'image_pull');
  assert.equal(view(waiting(p, 'ImagePullBackOff')).pendingReason, 'image_pull');
  assert.equal(view(waiting(p, 'CreateContainerConfigError')).pendingReason, 'config_error');
  assert.equal(view(waiting(p, 'SomethingNew')).pendingReason, 'other');
  assert.equal(view(p).pendingReason, 'other', 'no conditions at all (custom scheduler)');
  assert.equal(view(running(p)).pendingReason, undefined);
});

test('an OOMKill is read from the container state, keyed so it counts once', () => {
  const v = view(oomKilled(running(sparkPod())));
  assert.equal(v.phase, 'Failed');
  assert.deepEqual(v.terminated, { reason: 'OOMKilled', exitCode: 137, finishedMs: Date.parse('2026-11-25T10:10:20Z') });
  assert.deepEqual(v.oomKills, [{ container: 'spark-kubernetes-executor', key: 'spark-kubernetes-executor#0' }]);
  assert.deepEqual(view(terminated(sparkPod(), 'Error', 137)).oomKills, [], 'exit 137 without OOMKilled is some other SIGKILL');
});

test('disruptions: preemption and eviction', () => {
  assert.equal(view(disrupted(sparkPod(), 'TerminationByKubelet', 'Terminated')).disruption, 'preempted');
  assert.equal(view(disrupted(sparkPod(), 'PreemptionByScheduler')).disruption, 'preempted');
  assert.equal(view(disrupted(sparkPod(), 'EvictionByEvictionAPI')).disruption, 'evicted');
  const evicted = terminated(sparkPod(), 'Error', 137);
  (evicted['status'] as Obj)['reason'] = 'Evicted';
  assert.equal(view(evicted).disruption, 'evicted');
  assert.equal(view(deleting(running(sparkPod()))).deleting, true);
});

test('a renamed Spark container (pod template) and sidecars', () => {
  const p = sparkPod({ containerName: 'main' });
  ((p['spec'] as Obj)['containers'] as Obj[]).push({ name: 'fluent-bit', image: 'fluent-bit' });
  assert.equal(view(p).sparkContainer, 'main');
});

test('rejects what is not a usable Spark pod, with a reason', () => {
  assert.deepEqual(pick(parseSparkPod(null, 'team')), 'not_an_object');
  assert.deepEqual(pick(parseSparkPod({ metadata: { name: 'x' } }, 'team')), 'missing_metadata');
  const notSpark = sparkPod();
  delete ((notSpark['metadata'] as Obj)['labels'] as Record<string, string>)['spark-role'];
  assert.equal(pick(parseSparkPod(notSpark, 'team')), 'not_spark');
  const connect = sparkPod();
  ((connect['metadata'] as Obj)['labels'] as Record<string, string>)['spark-role'] = 'connect-server';
  assert.equal(pick(parseSparkPod(connect, 'team')), 'unknown_role');
  const noApp = sparkPod();
  delete ((noApp['metadata'] as Obj)['labels'] as Record<string, string>)['spark-app-selector'];
  assert.equal(pick(parseSparkPod(noApp, 'team')), 'missing_app_id');
});

test('wrong types and unknown phases degrade instead of throwing', () => {
  const p = sparkPod();
  (p['status'] as Obj)['phase'] = 'Exploded';
  (p['metadata'] as Obj)['creationTimestamp'] = 12345;
  (p['spec'] as Obj)['containers'] = 'not-a-list';
  const v = view(p);
  assert.equal(v.phase, 'Unknown');
  assert.equal(v.createdMs, undefined);
  assert.equal(v.sparkContainer, undefined);
});

function pick(r: ReturnType<typeof parseSparkPod>): string {
  return r.ok ? 'ok' : r.reason;
}

test('a driver that tolerates or selects spot capacity is spot-eligible; executors are not flagged', () => {
  const driver = (spec: Record<string, unknown>): Obj => {
    const p = sparkPod({ role: 'driver' });
    Object.assign(p['spec'] as Obj, spec);
    return p;
  };
  assert.equal(view(sparkPod({ role: 'driver' })).spotEligible, false, 'default tolerations only');
  assert.equal(view(driver({ tolerations: [{ key: 'cloud.google.com/gke-spot', operator: 'Equal', value: 'true', effect: 'NoSchedule' }] })).spotEligible, true);
  assert.equal(view(driver({ tolerations: [{ key: 'kubernetes.azure.com/scalesetpriority', operator: 'Exists' }] })).spotEligible, true);
  assert.equal(view(driver({ tolerations: [{ operator: 'Exists' }] })).spotEligible, true, 'tolerates everything');
  assert.equal(view(driver({ nodeSelector: { 'karpenter.sh/capacity-type': 'spot' } })).spotEligible, true);
  assert.equal(view(driver({ nodeSelector: { 'karpenter.sh/capacity-type': 'on-demand' } })).spotEligible, false);
  const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'eks.amazonaws.com/capacityType', operator: 'In', values: ['SPOT'] }] }] } } };
  assert.equal(view(driver({ affinity })).spotEligible, true);
  assert.equal(view(driver({ tolerations: 'garbage', nodeSelector: 7 })).spotEligible, false);
  const executor = sparkPod();
  (executor['spec'] as Obj)['tolerations'] = [{ operator: 'Exists' }];
  assert.equal(view(executor).spotEligible, false);
});
