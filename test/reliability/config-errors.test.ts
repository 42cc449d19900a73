/**
 * What the real binary does with bad configuration and a hostile or absent API server: bad flags
 * and kubeconfigs end at once with a message saying what is wrong and how to fix it (exit 2 for
 * usage, 1 for configuration); an unreachable API server, a rejected token (401) or RBAC that
 * forbids a resource (403) leave it serving, saying so, retrying with backoff, and ready only when
 * it can serve what it sees.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { freePort } from '../support/ports.js';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseExposition, sum } from '../support/exposition.js';
import { MAIN, startExporterProcess, waitFor, type ExporterProcess } from '../support/exporter-process.js';
import { namespaceObj, quota, running, sparkPod } from '../support/pods.js';
import { tempDir } from '../support/sim-pair.js';
import { HostileApiServer } from './hostile-apiserver.js';

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, 'serve', '--host', '127.0.0.1', '--port', '0', '--log-format', 'json', ...args], { env: { PATH: process.env['PATH'], HOME: '/nonexistent-home', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stderr });
    });
  });
}

test('bad flags and kubeconfigs: a clear message and the right exit code', { timeout: 60_000 }, async () => {
  const tmp = tempDir('rel-cfg-');
  try {
    const garbage = join(tmp.dir, 'garbage');
    writeFileSync(garbage, ':\n  - [ this is not: a kubeconfig');
    const noCluster = join(tmp.dir, 'no-cluster');
    writeFileSync(noCluster, 'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: []\n');
    const badUrl = join(tmp.dir, 'bad-url');
    writeFileSync(badUrl, 'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: "not a url"\nusers:\n- name: u\n  user: {}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n');
    const cases: Array<{ args: string[]; code: number; says: RegExp }> = [
      { args: ['--port', 'abc'], code: 2, says: /--port: "abc" is not a whole number/ },
      { args: ['--bogus'], code: 2, says: /unknown flag --bogus/ },
      { args: ['--watch-idle-timeout', '10ms'], code: 2, says: /--watch-idle-timeout must be at least 1s/ },
      { args: ['--audit-interval', 'soon'], code: 2, says: /is not a duration/ },
      { args: ['--tls-cert-file', garbage], code: 2, says: /--tls-cert-file and --tls-key-file go together/ },
      { args: ['--auth-token-file', join(tmp.dir, 'missing')], code: 2, says: /--auth-token-file .* is not a readable file/ },
      { args: ['--shard', '3', '--total-shards', '2'], code: 2, says: /--shard 3 is outside 0\.\.1/ },
      { args: ['--kubeconfig', join(tmp.dir, 'absent')], code: 1, says: /kubeconfig .*absent does not exist \(set --kubeconfig or KUBECONFIG/ },
      { args: ['--kubeconfig', garbage], code: 1, says: /cannot load kubeconfig/ },
      { args: ['--kubeconfig', noCluster], code: 1, says: /no current cluster: run with --kubeconfig FILE/ },
      { args: ['--kubeconfig', badUrl], code: 1, says: /invalid server URL: not a url/ },
      { args: ['--kubeconfig', badUrl, '--context', 'nope'], code: 1, says: /context "nope" is not in the kubeconfig \(have: x\)/ },
    ];
    for (const c of cases) {
      const r = await run(c.args);
      assert.equal(r.code, c.code, `${c.args.join(' ')}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, c.says, c.args.join(' '));
      assert.ok(!/\n\s+at /.test(r.stderr), `no stack trace for ${c.args.join(' ')}: ${r.stderr}`);
    }
    // The same through the environment names its source.
    const r = await run([], { SPARK_K8S_EXPORTER_PAGE_SIZE: 'many' });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /SPARK_K8S_EXPORTER_PAGE_SIZE: "many" is not a whole number/);
  } finally {
    tmp.cleanup();
  }
});

test('API server unreachable: keeps serving, not ready, retries with growing backoff, recovers when it appears', { timeout: 60_000 }, async () => {
  const tmp = tempDir('rel-unreach-');
  const api = new HostileApiServer();
  let ex: ExporterProcess | undefined;
  try {
    const port = await freePort();
    api.url = `http://127.0.0.1:${port}`;
    ex = await startExporterProcess(['--kubeconfig', api.kubeconfig(tmp.dir), '--no-process-metrics']);
    const url = ex.url;
    await waitFor('three failed attempts', () => ex!.logs.filter((l) => l.includes('list/watch failed, retrying') && l.includes('"resource":"pods"')).length >= 3 || undefined, 15_000);
    assert.equal((await fetch(`${url}/healthz`)).status, 200, 'alive');
    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 503, 'not ready');
    assert.match(await ready.text(), /waiting for the initial lists/);
    const p = parseExposition(await (await fetch(`${url}/metrics`)).text());
    assert.ok(sum(p, 'spark_k8s_exporter_list_total', { resource: 'pods', result: 'error' }) >= 3);
    assert.equal(sum(p, 'spark_k8s_exporter_synced', { resource: 'pods' }), 0);
    const waits = ex.logs.filter((l) => l.includes('list/watch failed, retrying') && l.includes('"resource":"pods"')).map((l) => JSON.parse(l) as { retryInMs: number; err: string });
    assert.match(waits[0]!.err, /ECONNREFUSED/);
    assert.ok(waits.every((w, i) => i === 0 || w.retryInMs > waits[i - 1]!.retryInMs), `backoff grows: ${waits.map((w) => w.retryInMs).join(', ')}`);
    // The API server appears: the exporter syncs and becomes ready without a restart.
    api.lists['pods'] = [running(sparkPod({ role: 'driver' }))];
    await api.start(port);
    await waitFor('ready once the API answers', async () => (await fetch(`${url}/readyz`)).status === 200, 20_000);
    assert.equal(ex.child.exitCode, null);
  } finally {
    await ex?.stop('SIGKILL');
    await api.stop();
    tmp.cleanup();
  }
});

test('a rejected token (401): a clear error, serving but not ready; RBAC forbidding quotas (403): ready without them', { timeout: 60_000 }, async () => {
  const tmp = tempDir('rel-auth-');
  const api = new HostileApiServer();
  await api.start();
  let ex: ExporterProcess | undefined;
  try {
    api.lists['pods'] = [running(sparkPod({ role: 'driver' })), running(sparkPod({ execId: 1 }))];
    api.lists['resourcequotas'] = [quota('analytics', 'q', { pods: '10' }, { pods: '2' })];
    api.lists['namespaces'] = [namespaceObj('analytics', { team: 'data-eng' })];
    api.token = 'the-right-token';
    ex = await startExporterProcess(['--kubeconfig', api.kubeconfig(tmp.dir, 'an-expired-token'), '--no-process-metrics']);
    await waitFor('the 401 explained', () => ex!.logs.some((l) => l.includes('401 Unauthorized') && l.includes('token is expired')) || undefined, 15_000);
    assert.equal((await fetch(`${ex.url}/readyz`)).status, 503);
    assert.equal((await fetch(`${ex.url}/healthz`)).status, 200);
    assert.ok(api.requests.every((r) => r.auth === 'Bearer an-expired-token'), 'it presented the kubeconfig token');
    // Said once per episode, not once per retry.
    assert.equal(ex.logs.filter((l) => l.includes('401 Unauthorized') && l.includes('"resource":"pods"')).length, 1);
    await ex.stop('SIGTERM');

    api.token = undefined;
    api.deny.set('resourcequotas', { code: 403, reason: 'Forbidden', message: 'resourcequotas is forbidden: User "system:serviceaccount:monitoring:spark-k8s-exporter" cannot list resource "resourcequotas" in API group "" at the cluster scope' });
    api.deny.set('sparkapplications', { code: 403, reason: 'Forbidden', message: 'sparkapplications.sparkoperator.k8s.io is forbidden' });
    ex = await startExporterProcess(['--kubeconfig', api.kubeconfig(tmp.dir), '--no-process-metrics']);
    const url = ex.url;
    await waitFor('ready without quotas', async () => (await fetch(`${url}/readyz`)).status === 200, 15_000);
    const p = parseExposition(await (await fetch(`${url}/metrics`)).text());
    assert.equal(sum(p, 'spark_k8s_pods'), 2, 'pod metrics served');
    assert.equal(sum(p, 'spark_k8s_quota_hard'), 0);
    assert.equal(sum(p, 'spark_k8s_exporter_synced', { resource: 'resourcequotas' }), 0, 'and it says quotas are not synced');
    // Logs are written asynchronously: they may trail readiness by a moment.
    await waitFor('the 403 on quotas explained', () => ex!.logs.some((l) => l.includes('not allowed to list/watch resourcequotas (403 Forbidden)') && l.includes('grant get, list, watch')) || undefined, 10_000);
    await waitFor('the 403 on SparkApplications said', () => ex!.logs.some((l) => l.includes('not allowed to list/watch sparkapplications')) || undefined, 10_000);
    await ex.stop('SIGTERM');

    // Forbidden pods is fatal to its purpose: an error naming the fix, and never ready.
    api.deny.clear();
    api.deny.set('pods', { code: 403, reason: 'Forbidden', message: 'pods is forbidden' });
    ex = await startExporterProcess(['--kubeconfig', api.kubeconfig(tmp.dir), '--no-process-metrics']);
    await waitFor('the 403 on pods explained', () => ex!.logs.some((l) => l.includes('not allowed to list/watch pods: grant get, list, watch')) || undefined, 15_000);
    assert.equal((await fetch(`${ex.url}/readyz`)).status, 503);
  } finally {
    await ex?.stop('SIGKILL');
    await api.stop();
    tmp.cleanup();
  }
});
