/**
 * Security: least privilege (only GET list/watch on the six resources, proven from what the API
 * servers saw), nothing from env, annotations or arbitrary labels on /metrics, label values
 * bounded and escaped, and /metrics over TLS behind a bearer token.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import https from 'node:https';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseExposition, sum } from '../support/exposition.js';
import { startExporterProcess, waitFor, type ExporterProcess } from '../support/exporter-process.js';
import { namespaceObj, quota, running, sparkApplication, sparkPod, type Obj } from '../support/pods.js';
import { assertSane, sleep, startPair, tempDir } from '../support/sim-pair.js';
import { HostileApiServer } from './hostile-apiserver.js';

const ALLOWED = new Set(['pods', 'resourcequotas', 'namespaces', 'sparkapplications', 'scheduledsparkapplications', 'sparkapplications.spark.apache.org']);

test('least privilege: against the simulator, only list and watch of the six resources, through faults and audits', { timeout: 60_000 }, async () => {
  const pair = await startPair({ sim: { scenario: 'demo', speed: 30, seed: 2 }, exporter: { auditIntervalMs: 1500, watchIdleTimeoutMs: 1500 } });
  try {
    const { sim } = pair;
    await sleep(2000);
    sim.faults.dropWatches();
    sim.faults.stallWatches(true);
    await sleep(2000);
    sim.faults.stallWatches(false);
    sim.faults.compact();
    sim.faults.dropWatches();
    await sleep(2000);
    const counts = sim.faults.counts();
    const kinds = Object.keys(counts);
    for (const forbidden of ['create', 'delete', 'patch', 'get', 'method-not-allowed', 'discovery', 'notfound']) {
      assert.equal(counts[forbidden], undefined, `no ${forbidden} requests: ${JSON.stringify(counts)}`);
    }
    const resources = new Set(kinds.filter((k) => / /.test(k)).map((k) => k.split(' ')[1] ?? ''));
    assert.deepEqual([...resources].filter((r) => !ALLOWED.has(r)), [], `resources touched: ${[...resources].join(', ')}`);
    assert.ok((counts['list'] ?? 0) >= 8 && (counts['watch'] ?? 0) >= 8, JSON.stringify(counts));
    process.stdout.write(`# reliability requests: ${JSON.stringify(counts)}\n`);
  } finally {
    await pair.close();
  }
});

test('nothing but the catalogue leaves: no env values, annotations or arbitrary labels; values bounded and escaped; GETs only', { timeout: 60_000 }, async () => {
  const api = new HostileApiServer();
  const tmp = tempDir('rel-sec-');
  await api.start();
  let ex: ExporterProcess | undefined;
  try {
    const secretive = (p: Obj): Obj => {
      const meta = p['metadata'] as Obj;
      meta['annotations'] = { 'vault.hashicorp.com/secret': 'ANNOTATION-SECRET', 'kubectl.kubernetes.io/last-applied-configuration': '{"password":"APPLIED-SECRET"}' };
      meta['labels'] = { ...(meta['labels'] as Obj), 'db-password': 'LABEL-SECRET', 'spark-app-name': `evil"} 1\nspark_k8s_pods{x="y` };
      const c = ((p['spec'] as Obj)['containers'] as Obj[])[0]!;
      (c['env'] as Obj[]).push({ name: 'DB_PASSWORD', value: 'ENV-SECRET' });
      c['args'] = ['--password', 'ARG-SECRET'];
      return p;
    };
    api.lists['pods'] = [secretive(running(sparkPod({ role: 'driver' }))), secretive(running(sparkPod({ execId: 1 })))];
    api.lists['resourcequotas'] = [quota('analytics', 'q', { pods: '10' }, { pods: '2' }, { 'quota-secret': 'QUOTA-LABEL-SECRET' })];
    api.lists['namespaces'] = [namespaceObj('analytics', { team: 'data-eng', 'ns-secret': 'NS-LABEL-SECRET' })];
    api.lists['sparkapplications'] = [sparkApplication('analytics', 'etl-daily', 'RUNNING')];
    ex = await startExporterProcess(['--kubeconfig', api.kubeconfig(tmp.dir), '--label-value-max-length', '16']);
    const url = ex.url;
    await waitFor('ready', async () => (await fetch(`${url}/readyz`)).status === 200, 15_000);
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const secret of ['ANNOTATION-SECRET', 'APPLIED-SECRET', 'LABEL-SECRET', 'ENV-SECRET', 'ARG-SECRET', 'must-never-be-exported', 'QUOTA-LABEL-SECRET', 'NS-LABEL-SECRET', 'db-password', 'vault']) {
      assert.ok(!text.includes(secret), `${secret} is not exported`);
    }
    const p = parseExposition(text);
    assertSane(p, 16);
    // The injection attempt stays inside its quoted value: no forged sample, no stray label.
    assert.equal(p.samples.filter((s) => s.labels['x'] !== undefined).length, 0);
    assert.equal(sum(p, 'spark_k8s_pods'), 2);
    assert.ok(p.samples.some((s) => s.labels['app_name'] === 'evil"} 1\nspark_k'), 'cut to 16 characters, then escaped');
    // Every request was a GET on one of the six collections.
    assert.ok(api.requests.length >= 8);
    for (const r of api.requests) {
      assert.equal(r.method, 'GET', r.path);
      assert.match(r.path, /^\/(api\/v1\/(pods|resourcequotas|namespaces)|apis\/sparkoperator\.k8s\.io\/v1beta2\/(scheduled)?sparkapplications|apis\/spark\.apache\.org\/v1\/sparkapplications)\?/, r.path);
    }
  } finally {
    await ex?.stop('SIGKILL');
    await api.stop();
    tmp.cleanup();
  }
});

function get(url: string, opts: { ca?: string; token?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca: opts.ca, headers: opts.token ? { Authorization: `Bearer ${opts.token}` } : {}, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

test('/metrics over TLS and behind a bearer token', { timeout: 60_000 }, async () => {
  const api = new HostileApiServer();
  const tmp = tempDir('rel-tls-');
  await api.start();
  let ex: ExporterProcess | undefined;
  try {
    api.lists['pods'] = [running(sparkPod({ role: 'driver' }))];
    const cert = join(tmp.dir, 'tls.crt');
    const key = join(tmp.dir, 'tls.key');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore', timeout: 30_000 });
    const tokenFile = join(tmp.dir, 'token');
    writeFileSync(tokenFile, 's3cr3t-scrape-token\n');
    ex = await startExporterProcess(['--kubeconfig', api.kubeconfig(tmp.dir), '--tls-cert-file', cert, '--tls-key-file', key, '--auth-token-file', tokenFile]);
    const url = ex.url;
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = readFileSync(cert, 'utf8');
    await waitFor('ready over TLS', async () => (await get(`${url}/readyz`, { ca })).status === 200, 15_000);
    const ok = await get(`${url}/metrics`, { ca, token: 's3cr3t-scrape-token' });
    assert.equal(ok.status, 200);
    assert.equal(sum(parseExposition(ok.body), 'spark_k8s_pods'), 1);
    assert.equal((await get(`${url}/metrics`, { ca })).status, 401, 'no token');
    assert.equal((await get(`${url}/metrics`, { ca, token: 's3cr3t-scrape-tokeN' })).status, 401, 'wrong token');
    assert.equal((await get(`${url}/metrics`, { ca, token: 's3cr3t' })).status, 401, 'a prefix of the token');
    assert.equal((await get(`${url}/healthz`, { ca })).status, 200, 'probes need no token');
    // An untrusted certificate is refused by the client; plain HTTP gets no metrics.
    await assert.rejects(get(`${url}/metrics`, { token: 's3cr3t-scrape-token' }), /self[- ]signed|unable to verify/i);
    const plain = await fetch(url.replace('https:', 'http:') + '/metrics').then((r) => r.status, () => 0);
    assert.notEqual(plain, 200, 'no metrics over plain HTTP');
  } finally {
    await ex?.stop('SIGKILL');
    await api.stop();
    tmp.cleanup();
  }
});
