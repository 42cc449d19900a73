import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkQuota, podUsage } from '../../src/sim/quota.js';
import { Cluster } from '../../src/sim/cluster.js';
import { buildNamespace, buildQuota } from '../../src/sim/objects.js';
import { ApiError } from '../../src/sim/errors.js';
import type { Pod, ResourceQuotaObj } from '../../src/sim/types.js';

function pod(name: string, memory: string, cpu = '1', phase: Pod['status']['phase'] = 'Pending'): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'reporting', uid: name, resourceVersion: '0', creationTimestamp: '2025-01-01T00:00:00Z' },
    spec: { containers: [{ name: 'spark-kubernetes-executor', image: 'spark', resources: { requests: { cpu, memory }, limits: { memory } } }] },
    status: { phase },
  };
}

test('quota admission words a rejection exactly as the API server does', () => {
  const used = { 'requests.memory': 60 * 2 ** 30, 'requests.cpu': 10, pods: 12 };
  const msg = checkQuota(pod('x', '4Gi'), [{ name: 'reporting-compute', hard: { 'requests.memory': '62Gi', 'requests.cpu': '40', pods: '40' } }], used);
  assert.equal(msg, 'exceeded quota: reporting-compute, requested: requests.memory=4Gi, used: requests.memory=60Gi, limited: requests.memory=62Gi');
  assert.equal(checkQuota(pod('x', '1Gi'), [{ name: 'q', hard: { 'requests.memory': '62Gi' } }], used), undefined);
  // Several exceeded resources are listed sorted, comma-separated.
  const both = checkQuota(pod('x', '4608Mi', '2'), [{ name: 'q', hard: { 'requests.memory': '62Gi', 'requests.cpu': '11' } }], used);
  assert.equal(both, 'exceeded quota: q, requested: requests.cpu=2,requests.memory=4608Mi, used: requests.cpu=10,requests.memory=60Gi, limited: requests.cpu=11,requests.memory=62Gi');
  assert.equal(checkQuota(pod('x', '1Gi'), [{ name: 'lim', hard: { 'limits.cpu': '10' } }], {}), 'failed quota: lim: must specify limits.cpu');
});

test('terminal pods charge nothing', () => {
  assert.deepEqual(podUsage(pod('done', '4Gi', '1', 'Succeeded')), {});
  assert.equal(podUsage(pod('live', '4Gi'))['requests.memory'], 4 * 2 ** 30);
});

test('cluster create: 403 Forbidden with the full message, quota status.used tracks live pods', () => {
  const c = new Cluster({ seed: 1, startMs: Date.UTC(2025, 0, 1) });
  c.store.put('namespaces', buildNamespace('reporting', 'finance', c.now, 'ns-uid'));
  c.createObject('resourcequotas', buildQuota('reporting', 'reporting-compute', { 'requests.memory': '8Gi', pods: '10' }, c.now, 'q-uid'));
  c.createPod(pod('a', '4Gi'));
  c.createPod(pod('b', '3Gi'));
  assert.throws(() => c.createPod(pod('c', '2Gi')), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.code, 403);
    assert.equal(e.reason, 'Forbidden');
    assert.equal(e.message, 'pods "c" is forbidden: exceeded quota: reporting-compute, requested: requests.memory=2Gi, used: requests.memory=7Gi, limited: requests.memory=8Gi');
    return true;
  });
  assert.equal(c.store.get('pods', 'reporting', 'c'), undefined, 'a rejected pod never exists');
  const q = c.store.get('resourcequotas', 'reporting', 'reporting-compute') as ResourceQuotaObj;
  assert.deepEqual(q.status.used, { 'requests.memory': '7Gi', pods: '2' });
  c.terminatePod('reporting', 'a', { reason: 'Completed', exitCode: 0, phase: 'Succeeded' });
  c.flushQuotas();
  const q2 = c.store.get('resourcequotas', 'reporting', 'reporting-compute') as ResourceQuotaObj;
  assert.deepEqual(q2.status.used, { 'requests.memory': '3Gi', pods: '1' });
  c.createPod(pod('c', '2Gi'));
});
