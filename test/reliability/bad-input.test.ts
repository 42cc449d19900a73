/**
 * Bad input end to end, through the real exporter binary: list items and watch lines that are not
 * objects, not JSON, missing fields, of the wrong types, with huge or hostile label values,
 * unparseable or negative quantities, impossible timestamps, unknown phases and container states.
 * Each unusable object is skipped with a logged reason and counted in
 * spark_k8s_exporter_objects_rejected_total{resource,reason}; the process keeps serving and
 * /metrics carries no NaN, negative, infinite or unbounded value.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseExposition, select, sum, value } from '../support/exposition.js';
import { startExporterProcess, waitFor, type ExporterProcess } from '../support/exporter-process.js';
import { quota, running, sparkPod, terminated, type Obj } from '../support/pods.js';
import { assertSane, tempDir } from '../support/sim-pair.js';
import { HostileApiServer } from './hostile-apiserver.js';

const APP = 'spark-0123456789abcdef0123456789abcdef';

function withLabels(p: Obj, labels: Record<string, unknown>): Obj {
  const meta = p['metadata'] as Obj;
  meta['labels'] = { ...(meta['labels'] as Obj), ...labels };
  return p;
}

function edit(p: Obj, fn: (p: Obj) => void): Obj {
  fn(p);
  return p;
}

const status = (p: Obj) => p['status'] as Obj;
const isEventShaped = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) && 'type' in v;
const container = (p: Obj) => ((p['spec'] as Obj)['containers'] as Obj[])[0]!;

test('hostile objects are skipped with a reason, counted, logged; the exporter serves sane metrics', { timeout: 60_000 }, async () => {
  const api = new HostileApiServer();
  const tmp = tempDir('rel-bad-');
  await api.start();
  let ex: ExporterProcess | undefined;
  try {
    const longName = `${'x'.repeat(10_000)}"\n\\}`;
    api.lists['pods'] = [
      // Usable, if odd.
      running(sparkPod({ role: 'driver', team: 'data-eng' })),
      running(sparkPod({ execId: 1, team: 'data-eng' })),
      withLabels(running(sparkPod({ execId: 2, appId: 'spark-"}\n# EOF', appName: 'n' })), { 'spark-app-name': longName, team: '🔥équipe\u202e\u0000' }),
      edit(running(sparkPod({ execId: 3, memoryRequest: 'lots', cpu: '-5', heap: 'huge' })), () => undefined),
      edit(running(sparkPod({ execId: 4, created: '9999-12-31T23:59:59Z' })), () => undefined),
      edit(running(sparkPod({ execId: 5, created: '1970-01-01T00:00:00Z' }), '1960-01-01T00:00:00Z'), () => undefined),
      edit(sparkPod({ execId: 6, created: 'not a time' }), (p) => (status(p)['phase'] = 'Exploded')),
      edit(running(sparkPod({ execId: 7 })), (p) => (status(p)['containerStatuses'] = [{ name: container(p)['name'], restartCount: '7', state: { sleeping: {} }, lastState: { terminated: { reason: 'OOMKilled' } } }])),
      edit(terminated(running(sparkPod({ execId: 8 })), 'OOMKilled', 137), (p) => (((status(p)['containerStatuses'] as Obj[])[0]!)['restartCount'] = -3)),
      edit(sparkPod({ execId: 9 }), (p) => (p['status'] = 'garbage')),
      edit(sparkPod({ execId: 10 }), (p) => (p['spec'] = { containers: 'none' })),
      edit(sparkPod({ execId: 'EXECID' }), (p) => (status(p)['containerStatuses'] = 'x')),
      // Unusable.
      'a string', null, 42, [],
      { metadata: 'x' },
      { metadata: { name: 'p', namespace: 'analytics' } },
      withLabels(sparkPod({ execId: 11 }), { 'spark-role': 'operator' }),
      edit(sparkPod({ execId: 12 }), (p) => ((p['metadata'] as Obj)['labels'] = ['spark-role'])),
      edit(sparkPod({ execId: 13 }), (p) => delete ((p['metadata'] as Obj)['labels'] as Obj)['spark-app-selector']),
    ];
    api.lists['resourcequotas'] = [
      quota('analytics', 'ok', { 'requests.cpu': '20', pods: '50' }, { 'requests.cpu': '18', pods: '10' }),
      quota('analytics', 'bad-quantities', { 'requests.cpu': 'lots', 'requests.memory': '1e400', pods: '50' }, { 'requests.cpu': '-3', pods: '10' }),
      null,
      { metadata: { name: 'q' } },
    ];
    api.lists['namespaces'] = [{ metadata: { name: 'analytics', labels: { team: 7 } } }, {}];
    api.lists['sparkapplications'] = [{ metadata: { name: 'x', namespace: 'analytics', uid: 'sa1' }, status: 'nope' }, 'junk'];

    ex = await startExporterProcess(['--kubeconfig', api.kubeconfig(tmp.dir), '--watch-idle-timeout', '60s', '--audit-interval', '0', '--no-process-metrics']);
    const url = ex.url;
    await waitFor('ready', async () => (await fetch(`${url}/readyz`)).status === 200, 20_000);
    await waitFor('pod watch open', () => api.watching('pods') > 0);
    // Watch lines that are not JSON, not events, or carry no usable object.
    for (const line of ['not json at all', '{"type":"WHAT","object":{}}', '{"type":"ADDED","object":"str"}', '{"type":"ADDED"}', '{"type":"MODIFIED","object":{"metadata":{"uid":5}}}', '[1,2,3]']) {
      api.send('pods', line);
    }
    const p = await waitFor('watch garbage counted', async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      const m = parseExposition(text);
      return sum(m, 'spark_k8s_exporter_objects_rejected_total', { resource: 'pods', reason: 'bad_json' }) === 1 && sum(m, 'spark_k8s_exporter_objects_rejected_total', { resource: 'pods', reason: 'unknown_event_type' }) === 1 && sum(m, 'spark_k8s_exporter_objects_rejected_total', { resource: 'pods', reason: 'not_an_event' }) === 1 ? m : undefined;
    });
    assert.equal(ex.child.exitCode, null, 'still running');
    assertSane(p, 128);

    const rejected = (resource: string, reason: string) => sum(p, 'spark_k8s_exporter_objects_rejected_total', { resource, reason });
    assert.equal(rejected('pods', 'not_an_object'), 4 + 2, 'four list items, two watch objects');
    assert.equal(rejected('pods', 'missing_metadata'), 2 + 1);
    assert.equal(rejected('pods', 'unknown_role'), 1);
    assert.equal(rejected('pods', 'not_spark'), 1, 'labels of the wrong type are no labels');
    assert.equal(rejected('pods', 'missing_app_id'), 1);
    assert.equal(rejected('pods', 'unknown_event_type'), 1, 'an unknown event type');
    assert.equal(rejected('pods', 'not_an_event'), 1, 'a JSON line that is no event');
    assert.equal(rejected('resourcequotas', 'bad_quantity'), 1);
    assert.equal(rejected('resourcequotas', 'not_an_object'), 1);
    assert.equal(rejected('resourcequotas', 'missing_metadata'), 1);
    assert.equal(rejected('namespaces', 'missing_metadata'), 1);
    assert.ok(rejected('sparkapplications', 'not_an_object') >= 1);

    // The usable ones are all there; the hostile values are bounded and escaped.
    assert.equal(sum(p, 'spark_k8s_pods'), 12);
    const hostile = select(p, 'spark_k8s_pods', { app_id: 'spark-"}\n# EOF' });
    assert.equal(hostile.length, 1, 'a label value with quotes, a newline and "# EOF" survives escaping');
    assert.equal(Array.from(hostile[0]!.labels['app_name'] ?? '').length, 128, 'a 10k-character value is cut to --label-value-max-length');
    assert.equal(hostile[0]!.labels['team'], '🔥équipe\u202e\u0000');
    assert.equal(value(p, 'spark_k8s_quota_hard', { quota: 'bad-quantities', resource: 'pods' }), 50, 'the good quantities of a quota with bad ones');
    assert.equal(select(p, 'spark_k8s_quota_hard', { quota: 'bad-quantities', resource: 'requests.cpu' }).length, 0, 'an unparseable one is left out');
    assert.equal(select(p, 'spark_k8s_quota_used', { quota: 'bad-quantities', resource: 'requests.cpu' }).length, 0, 'so is a negative one');
    assert.equal(select(p, 'spark_k8s_executor_memory_request_bytes', { app_id: APP }).length, 1);
    // Each reason is logged (the first few of a kind), with what was wrong. The log is written
    // asynchronously: it may trail the metric by a moment.
    await waitFor('the log', () => ex!.logs.some((l) => l.includes('skipping a watch line that is not JSON')) || undefined, 10_000);
    const logged = ex.logs.filter((l) => l.includes('skipping an object the exporter cannot use')).map((l) => JSON.parse(l) as { reason: string; resource: string });
    for (const reason of ['not_an_object', 'missing_metadata', 'unknown_role', 'not_spark', 'missing_app_id']) {
      assert.ok(logged.some((l) => l.resource === 'pods' && l.reason === reason), `logged ${reason}`);
    }
    assert.ok(ex.logs.some((l) => l.includes('skipping a watch line that is not JSON')));
    assert.ok(ex.logs.some((l) => l.includes('skipping quota quantities that do not parse')));
    process.stdout.write(`# reliability rejected: ${JSON.stringify(Object.fromEntries(select(p, 'spark_k8s_exporter_objects_rejected_total').map((s) => [`${s.labels['resource']}/${s.labels['reason']}`, s.value])))}\n`);
  } finally {
    await ex?.stop('SIGKILL');
    await api.stop();
    tmp.cleanup();
  }
});

test('watch lines and list items of any JSON shape: counted, skipped, and the process lives', { timeout: 60_000 }, async () => {
  const api = new HostileApiServer();
  const tmp = tempDir('rel-json-');
  await api.start();
  let ex: ExporterProcess | undefined;
  try {
    const items = fc.sample(fc.jsonValue({ maxDepth: 3 }), { numRuns: 60, seed: 424242 });
    api.lists['pods'] = items;
    // List bodies that are no list: the list fails (counted) and is retried, never taken as empty.
    api.listBodies.set('namespaces', 'null');
    api.listBodies.set('sparkapplications', '{"kind":"List","items":5}');
    ex = await startExporterProcess(['--kubeconfig', api.kubeconfig(tmp.dir), '--watch-idle-timeout', '60s', '--audit-interval', '0', '--no-process-metrics']);
    const url = ex.url;
    await waitFor('ready', async () => (await fetch(`${url}/readyz`)).status === 200, 20_000);
    await waitFor('pod watch open', () => api.watching('pods') > 0);
    // `null` killed the process before (TypeError in the data listener); the rest is its class.
    const values = [null, ...fc.sample(fc.jsonValue(), { numRuns: 300, seed: 7 }).filter((v) => !isEventShaped(v))];
    for (const v of values) api.send('pods', JSON.stringify(v));
    for (const line of ['{"type":"ERROR"}', '{"type":"ERROR","object":7}', '{"type":"BOOKMARK","object":null}', '{"type":42,"object":{}}']) api.send('pods', line);
    const rejectedOf = (m: ReturnType<typeof parseExposition>, resource: string, reason?: string) => sum(m, 'spark_k8s_exporter_objects_rejected_total', reason ? { resource, reason } : { resource });
    const p = await waitFor('every line counted', async () => {
      const m = parseExposition(await (await fetch(`${url}/metrics`)).text());
      return rejectedOf(m, 'pods', 'not_an_event') === values.length + 1 ? m : undefined;
    });
    assert.equal(ex.child.exitCode, null, 'still running');
    assert.equal(api.watching('pods'), 1, 'the same watch goes on');
    assert.equal(rejectedOf(p, 'pods', 'bad_error_event'), 2);
    assert.equal(rejectedOf(p, 'pods', 'bad_bookmark'), 1);
    const listRejects = rejectedOf(p, 'pods') - (values.length + 1) - 3;
    assert.equal(listRejects, items.length, 'every list item of an arbitrary JSON shape counted once');
    assert.equal(sum(p, 'spark_k8s_pods'), 0);
    assert.ok(rejectedOf(p, 'namespaces', 'not_a_list') >= 1);
    assert.ok(rejectedOf(p, 'sparkapplications', 'not_a_list') >= 1);
    assert.ok(sum(p, 'spark_k8s_exporter_list_total', { resource: 'namespaces', result: 'error' }) >= 1);
    assertSane(p, 128);
    // Log lines arrive asynchronously (pino): wait for every kind, then check there is one of each.
    const logged = () => ex!.logs.filter((l) => l.includes('skipping a watch line that is not a usable event')).map((l) => (JSON.parse(l) as { reason: string }).reason);
    await waitFor('logged once per kind', () => (new Set(logged()).size >= 3) || undefined, 10_000);
    const kinds = logged();
    assert.deepEqual(kinds.sort(), ['bad_bookmark', 'bad_error_event', 'not_an_event'], `${values.length} bad lines, one log line per kind`);
  } finally {
    await ex?.stop('SIGKILL');
    await api.stop();
    tmp.cleanup();
  }
});
