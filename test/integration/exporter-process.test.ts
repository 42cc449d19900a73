/**
 * The real exporter process against the simulator, fed hand-built objects: readiness, every signal
 * through /metrics, exact counts across dropped watches, a 410 relist and a restart, the catalogue
 * diffed against what /metrics really exposes, and a clean SIGTERM.
 *
 * The simulator's own controllers stay out of the way of the hand-set pod states: every pod is
 * bound to a node the simulator does not run (no kubelet acts on it), except the one meant to
 * pend, whose node selector matches no node. Quota usage is the simulator's quota controller's.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CATALOGUE, PROCESS_METRIC_PREFIXES, type MetricDef } from '../../src/catalogue/metrics.js';
import { parseExposition, sum, value, type ParsedExposition } from '../support/exposition.js';
import { startExporterProcess, waitFor, type ExporterProcess } from '../support/exporter-process.js';
import { join } from 'node:path';
import { startSimulator, type KObject, type RunningSimulator } from '../../src/sim/index.js';
import { deleting, namespaceObj, oomKilled, quota, running, sparkApplication, sparkPod, unschedulable, waiting, type Obj } from '../support/pods.js';
import { tempDir } from '../support/sim-pair.js';

const tmp = tempDir('exporter-process-');
const kubeconfig = join(tmp.dir, 'kubeconfig');
let sim: RunningSimulator;
let exporter: ExporterProcess | undefined;

/** The builders in test/support/pods.ts make API-shaped objects (apiVersion, kind, metadata). */
const kobject = (o: Obj): KObject => o as unknown as KObject;
const put = (resource: string, o: Obj): void => void sim.cluster.world.cluster.store.put(resource, kobject(o));
/** As a deletion ends: the final state (MODIFIED), then DELETED. */
function remove(resource: string, o: Obj): void {
  put(resource, o);
  const m = kobject(o).metadata;
  sim.cluster.world.cluster.store.remove(resource, m.namespace, m.name);
}
/** On a node the simulator does not run: neither its scheduler nor a kubelet touches the pod. */
function bound(p: Obj): Obj {
  (p['spec'] as Obj)['nodeName'] = 'gke-outside-the-simulator';
  return p;
}
const requests = (): string[] => sim.faults.requests();
const e1 = sparkPod({ execId: 1 });
const APP = { namespace: 'analytics', app_id: 'spark-0123456789abcdef0123456789abcdef' };

async function scrape(url: string): Promise<ParsedExposition> {
  const res = await fetch(`${url}/metrics`);
  assert.equal(res.status, 200);
  return parseExposition(await res.text());
}

before(async () => {
  // 'empty': three idle nodes and no workload; paused, so nothing but these objects changes.
  sim = await startSimulator({ scenario: 'empty', kubeconfigOut: kubeconfig, bookmarkIntervalSeconds: 1 });
  sim.pause();
  put('namespaces', namespaceObj('analytics', { team: 'data-eng' }));
  put('resourcequotas', quota('analytics', 'spark', { 'requests.cpu': '20', 'requests.memory': '64Gi' }, {}));
  put('pods', bound(running(sparkPod({ role: 'driver' }))));
  put('pods', bound(running(e1)));
  put('sparkapplications', sparkApplication('analytics', 'etl-daily', 'RUNNING'));
  // Something the label selector lets through that is not usable: skipped and counted.
  const broken = sparkPod({ execId: 99 });
  delete ((broken['metadata'] as Record<string, unknown>)['labels'] as Record<string, string>)['spark-app-selector'];
  put('pods', bound(broken));
});

after(async () => {
  await exporter?.stop('SIGKILL');
  await sim.close();
  tmp.cleanup();
});

/** requests.cpu used / hard as the simulator's quota controller last wrote it. */
function quotaCpuRatio(): number {
  const q = sim.cluster.get('resourcequotas', 'analytics', 'spark') as { status?: { hard?: Record<string, string>; used?: Record<string, string> } } | undefined;
  return Number(q?.status?.used?.['requests.cpu']) / Number(q?.status?.hard?.['requests.cpu']);
}

test('serves every signal, counts exactly once across reconnects, relists and restarts', { timeout: 90_000 }, async () => {
  exporter = await startExporterProcess(['--kubeconfig', kubeconfig, '--page-size', '1', '--watch-idle-timeout', '3s', '--audit-interval', '0']);
  const url = exporter.url;
  await waitFor('ready', async () => (await fetch(`${url}/readyz`)).status === 200);
  assert.equal((await fetch(`${url}/healthz`)).status, 200);
  const log = requests();
  assert.ok(log.some((r) => r.startsWith('/api/v1/pods?labelSelector=spark-role&limit=1')), 'pods are listed with the server-side selector, paginated');
  assert.ok(log.some((r) => r.includes('continue=')), 'and paginated');

  // An executor pends (its selector matches no node), another pulls its image, then one is OOMKilled and deleted.
  const e2 = sparkPod({ execId: 2 });
  (e2['spec'] as Obj)['nodeSelector'] = { 'cloud.google.com/gke-nodepool': 'none-such' };
  const e3 = sparkPod({ execId: 3 });
  put('pods', unschedulable(e2));
  put('pods', bound(waiting(e3, 'ImagePullBackOff')));
  const oom = bound(oomKilled(running(e1)));
  // Four live pods of 2 CPUs (driver, e1, e2, e3) and the rejected one: 10 of 20.
  await waitFor('the quota controller', () => quotaCpuRatio() === 0.5);
  let p = await waitFor('pending executors', async () => {
    const m = await scrape(url);
    return sum(m, 'spark_k8s_executors_pending') === 2 && value(m, 'spark_k8s_quota_saturation_ratio', { namespace: 'analytics', quota: 'spark', resource: 'requests.cpu' }) === 0.5 ? m : undefined;
  });
  assert.equal(value(p, 'spark_k8s_executors_pending', { ...APP, team: 'data-eng', reason: 'unschedulable' }), 1);
  assert.equal(value(p, 'spark_k8s_executors_pending', { ...APP, reason: 'image_pull' }), 1);
  assert.equal(value(p, 'spark_k8s_applications', { namespace: 'analytics', state: 'RUNNING' }), 1);
  assert.equal(value(p, 'spark_k8s_exporter_objects_rejected_total', { resource: 'pods', reason: 'missing_app_id' }), 1);

  put('pods', oom);
  remove('pods', deleting(oom));
  p = await waitFor('the OOMKill', async () => {
    const m = await scrape(url);
    return sum(m, 'spark_k8s_container_oom_kills_total', { role: 'executor' }) === 1 ? m : undefined;
  });
  assert.equal(value(p, 'spark_k8s_executor_exits_total', { ...APP, reason: 'oom_killed' }), 1);
  assert.equal(value(p, 'spark_k8s_executor_starts_total', APP), 2, 'e2 and e3; e1 predates the exporter');

  // Dropped watches reconnect from their resourceVersion: no event is replayed into a count.
  sim.faults.dropWatches();
  await waitFor('watch restart', async () => sum(await scrape(url), 'spark_k8s_exporter_watch_restarts_total', { resource: 'pods' }) >= 1);
  // Compacted history: what happened while the watches were stalled (e3 OOMKilled and already
  // gone, e4 created) is compacted away, the next watch gets 410, the exporter relists, and
  // counts it once.
  sim.faults.stallWatches(true);
  const e4 = sparkPod({ execId: 4 });
  remove('pods', bound(oomKilled(running(e3))));
  put('pods', bound(running(e4)));
  sim.faults.compact();
  sim.faults.stallWatches(false);
  sim.faults.dropWatches();
  p = await waitFor('relist after 410', async () => {
    const m = await scrape(url);
    return sum(m, 'spark_k8s_exporter_watch_restarts_total', { resource: 'pods', reason: 'expired' }) >= 1 && sum(m, 'spark_k8s_executor_starts_total') === 3 ? m : undefined;
  });
  await new Promise((r) => setTimeout(r, 1000));
  p = await scrape(url);
  assert.equal(value(p, 'spark_k8s_executor_starts_total', APP), 3);
  assert.equal(sum(p, 'spark_k8s_container_oom_kills_total'), 1, 'e3 vanished during the gap: its OOMKill is the documented blind spot');
  assert.equal(value(p, 'spark_k8s_executor_exits_total', { ...APP, reason: 'deleted' }), 1);
  assert.equal(value(p, 'spark_k8s_executor_exits_total', { ...APP, reason: 'oom_killed' }), 1);

  // The catalogue and /metrics agree both ways: names, types and label sets.
  assertMatchesCatalogue(p);

  // Restart: nothing that ended before is counted again.
  assert.equal(await exporter.stop('SIGTERM'), 0, 'SIGTERM is a clean exit');
  exporter = await startExporterProcess(['--kubeconfig', kubeconfig]);
  await waitFor('ready again', async () => (await fetch(`${exporter!.url}/readyz`)).status === 200);
  p = await scrape(exporter.url);
  assert.equal(sum(p, 'spark_k8s_executor_starts_total'), 0);
  assert.equal(sum(p, 'spark_k8s_executor_exits_total'), 0);
  assert.equal(sum(p, 'spark_k8s_container_oom_kills_total'), 0);
  assert.equal(sum(p, 'spark_k8s_pods', { role: 'executor' }), 2, 'but the live state (e2 pending, e4 running) is all there');
});

test('a cluster without the Spark operator CRDs: each logged once, ready, everything else works', { timeout: 30_000 }, async () => {
  await exporter?.stop('SIGKILL');
  sim.faults.sparkApplicationCrd(false);
  exporter = await startExporterProcess(['--kubeconfig', kubeconfig]);
  await waitFor('ready without the CRD', async () => (await fetch(`${exporter!.url}/readyz`)).status === 200);
  const p = await scrape(exporter.url);
  assert.equal(sum(p, 'spark_k8s_applications'), 0);
  assert.ok(sum(p, 'spark_k8s_pods') > 0);
  for (const r of ['sparkapplications', 'scheduledsparkapplications', 'sparkapplications.spark.apache.org']) {
    assert.equal(exporter.logs.filter((l) => l.includes('CRD not installed') && l.includes(`"resource":"${r}"`)).length, 1, r);
  }
  sim.faults.sparkApplicationCrd(true);
});

function assertMatchesCatalogue(p: ParsedExposition): void {
  const defs = new Map((CATALOGUE as readonly MetricDef[]).map((d) => [d.name, d]));
  for (const def of defs.values()) assert.equal(p.types.get(def.name), def.type, `${def.name} exposed with its type`);
  for (const [name, type] of p.types) {
    if (PROCESS_METRIC_PREFIXES.some((pre) => name.startsWith(pre))) continue;
    assert.equal(defs.get(name)?.type, type, `${name} is in the catalogue`);
  }
  for (const s of p.samples) {
    if (PROCESS_METRIC_PREFIXES.some((pre) => s.name.startsWith(pre))) continue;
    const def = defs.get(s.name) ?? defs.get(s.name.replace(/_(bucket|sum|count)$/, ''));
    assert.ok(def, `${s.name} belongs to a catalogue family`);
    const want = [...def.labels, ...(s.name.endsWith('_bucket') ? ['le'] : [])].sort();
    assert.deepEqual(Object.keys(s.labels).sort(), want, `${s.name} label set`);
  }
}
