import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster, tolerates, unschedulableMessage } from '../../src/sim/cluster.js';
import { buildNamespace, SPOT_TAINT } from '../../src/sim/objects.js';
import type { Pod } from '../../src/sim/types.js';

function pod(name: string, memory: string, tolerateSpot = false): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: name, resourceVersion: '0', creationTimestamp: '2025-01-01T00:00:00Z' },
    spec: { containers: [{ name: 'c', image: 'img', resources: { requests: { cpu: '1', memory }, limits: { memory } } }], tolerations: tolerateSpot ? [{ key: SPOT_TAINT.key, operator: 'Equal', value: 'true', effect: 'NoSchedule' }] : [] },
    status: { phase: 'Pending' },
  };
}

function cluster(): Cluster {
  const c = new Cluster({ seed: 3, startMs: Date.UTC(2025, 0, 1) });
  c.store.put('namespaces', buildNamespace('ns', undefined, c.now, 'u'));
  c.addNode({ name: 'od-1', pool: 'on-demand', cpu: 8, memoryMiB: 33792, zone: 'z-a', instanceType: 't', internalIP: '10.0.0.1' });
  c.addNode({ name: 'spot-1', pool: 'spot', cpu: 8, memoryMiB: 33792, zone: 'z-a', instanceType: 't', internalIP: '10.0.0.2' });
  return c;
}

test('taints: spot pods need the toleration', () => {
  assert.equal(tolerates([], SPOT_TAINT), false);
  assert.equal(tolerates([{ key: SPOT_TAINT.key, operator: 'Exists' }], SPOT_TAINT), true);
  assert.equal(tolerates([{ operator: 'Exists' }], SPOT_TAINT), true);
  assert.equal(tolerates([{ key: SPOT_TAINT.key, operator: 'Equal', value: 'false', effect: 'NoSchedule' }], SPOT_TAINT), false);
});

test('scheduler binds by requests and respects taints; then the kubelet runs the pod', () => {
  const c = cluster();
  c.createPod(pod('a', '16Gi'));
  c.step(c.now + 1000);
  const bound = c.store.get('pods', 'ns', 'a') as Pod;
  assert.equal(bound.spec.nodeName, 'od-1', 'an untolerating pod avoids the spot node');
  assert.equal(bound.status.conditions?.find((x) => x.type === 'PodScheduled')?.status, 'True');
  for (let i = 0; i < 70; i++) c.step(c.now + 1000);
  assert.equal((c.store.get('pods', 'ns', 'a') as Pod).status.phase, 'Running');
  assert.equal(c.nodes.get('od-1')?.usedMem, 16 * 2 ** 30);
});

test('unschedulable pods get the scheduler wording', () => {
  const c = cluster();
  c.createPod(pod('big', '64Gi'));
  c.step(c.now + 1000);
  const p = c.store.get('pods', 'ns', 'big') as Pod;
  const cond = p.status.conditions?.find((x) => x.type === 'PodScheduled');
  assert.equal(cond?.status, 'False');
  assert.equal(cond?.reason, 'Unschedulable');
  assert.equal(cond?.message, '0/2 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {cloud.google.com/gke-spot: true}.');
  const c2 = cluster();
  c2.createPod(pod('big', '64Gi', true));
  c2.step(c2.now + 1000);
  assert.equal((c2.store.get('pods', 'ns', 'big') as Pod).status.conditions?.[0]?.message, '0/2 nodes are available: 2 Insufficient memory.');
  assert.equal(unschedulableMessage(12, new Map([['Insufficient memory', 12]])), '0/12 nodes are available: 12 Insufficient memory.');
});
