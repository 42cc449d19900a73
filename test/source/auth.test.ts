/**
 * The exporter's own HTTP path (loadKubeConfig → KubeHttp, auth by @kubernetes/client-node)
 * against the simulator over TLS, with each way a kubeconfig can authenticate: a bearer token, a
 * client certificate, an exec credential plugin. Wrong credentials must be refused (401), so a
 * pass proves the credential was sent, not that the server was open.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { stringify } from 'yaml';
import { HttpStatusError, KubeHttp, loadKubeConfig } from '../../src/source/kube-http.js';
import { ListWatch, LIST_WATCH_PROTOCOL } from '../../src/source/list-watch.js';
import { SelfStats } from '../../src/source/self-stats.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { makeClientCert, makeSelfSignedCert } from '../../src/sim/tls.js';
import { tempDir } from '../sim/helpers.js';

let sim: RunningSimulator;
let tmp: { dir: string; cleanup: () => void };
let caPem: string;

before(async () => {
  tmp = tempDir('auth-');
  sim = await startSimulator({ scenario: 'steady', tls: true, seed: 3, kubeconfigOut: join(tmp.dir, 'sim-kubeconfig') });
  // The CA is the serving certificate, as the simulator's own kubeconfig carries it.
  const kc = loadKubeConfig({ kubeconfig: join(tmp.dir, 'sim-kubeconfig') });
  caPem = Buffer.from(kc.getCurrentCluster()?.caData ?? '', 'base64').toString('utf8');
  assert.match(caPem, /BEGIN CERTIFICATE/);
});

after(async () => {
  await sim.close();
  tmp.cleanup();
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

function kubeconfig(name: string, user: Record<string, unknown>): string {
  const file = join(tmp.dir, `${name}.kubeconfig`);
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'sim', cluster: { server: sim.url, 'certificate-authority-data': b64(caPem) } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'sim', context: { cluster: 'sim', user: 'u' } }],
      'current-context': 'sim',
    }),
    { mode: 0o600 },
  );
  return file;
}

/** Lists namespaces and opens a pod watch the way the exporter does; returns how many namespaces. */
async function probe(file: string): Promise<number> {
  const http = new KubeHttp(loadKubeConfig({ kubeconfig: file }));
  const ctl = new AbortController();
  try {
    const list = (await http.getJson('/api/v1/namespaces?limit=50', ctl.signal)) as { items?: unknown };
    assert.ok(Array.isArray(list.items), 'a namespace list');
    const res = await http.open('/api/v1/pods?watch=1&allowWatchBookmarks=true', ctl.signal);
    assert.equal(res.statusCode, 200, 'the watch opens');
    res.destroy();
    return list.items.length;
  } finally {
    ctl.abort();
  }
}

async function refused(file: string): Promise<void> {
  await assert.rejects(probe(file), (e: unknown) => e instanceof HttpStatusError && e.status === 401);
}

test('the simulator refuses a request without credentials, or with wrong ones', async () => {
  await refused(kubeconfig('none', {}));
  await refused(kubeconfig('wrong-token', { token: 'not-the-token' }));
  const otherCa = makeSelfSignedCert('127.0.0.1');
  const foreign = makeClientCert(otherCa, 'intruder');
  await refused(kubeconfig('foreign-cert', { 'client-certificate-data': b64(foreign.cert), 'client-key-data': b64(foreign.key) }));
});

test('(a) a bearer token', async () => {
  assert.ok(sim.token);
  assert.ok((await probe(kubeconfig('token', { token: sim.token }))) > 0);
});

test('(b) a client certificate signed by the simulator\'s CA', async () => {
  const c = sim.clientCert;
  assert.ok(c, 'the simulator issues one with TLS on');
  assert.ok((await probe(kubeconfig('cert', { 'client-certificate-data': b64(c.cert), 'client-key-data': b64(c.key) }))) > 0);
});

test('(c) an exec credential plugin, run for the token, feeding a real list-watch', async () => {
  const script = join(tmp.dir, 'credential.mjs');
  const calls = join(tmp.dir, 'calls');
  writeFileSync(calls, '');
  writeFileSync(
    script,
    [
      "import { appendFileSync } from 'node:fs';",
      'appendFileSync(process.env.CALLS, "x");',
      'process.stdout.write(JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token: process.env.SIM_TOKEN } }));',
    ].join('\n'),
  );
  const file = kubeconfig('exec', {
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: process.execPath,
      args: [script],
      env: [
        { name: 'SIM_TOKEN', value: sim.token },
        { name: 'CALLS', value: calls },
      ],
      interactiveMode: 'Never',
    },
  });
  assert.ok((await probe(file)) > 0);
  assert.ok(readFileSync(calls, 'utf8').length >= 1, 'the plugin ran');

  const self = new SelfStats('test');
  let listed = 0;
  const lw = new ListWatch(new KubeHttp(loadKubeConfig({ kubeconfig: file })), { ...LIST_WATCH_PROTOCOL, pageSize: 500, idleTimeoutMs: 60_000, resource: 'namespaces', path: '/api/v1/namespaces' }, { onList: (items) => (listed = items.length), onEvent: () => undefined }, self, pino({ level: 'silent' }));
  lw.start();
  await lw.settled;
  await lw.stop();
  assert.ok(listed > 0, 'listed through the exec credential');
  assert.equal(self.lists.get('namespaces\u0000success'), 1);
});
