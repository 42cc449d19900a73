import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { kubectl, kubectlWatch, tempDir, waitFor } from './helpers.js';

let sim: RunningSimulator;
let tmp: { dir: string; cleanup: () => void };
let kc: string;

before(async () => {
  tmp = tempDir('sim-kubectl-');
  kc = join(tmp.dir, 'kubeconfig');
  sim = await startSimulator({ scenario: 'demo', speed: 30, seed: 4, kubeconfigOut: kc, bookmarkIntervalSeconds: 1 });
  // Let the workload create drivers and executors.
  await waitFor('running executors', () => sim.cluster.list('pods').filter((p) => p.metadata.labels?.['spark-role'] === 'executor' && (p.status as { phase?: string }).phase === 'Running').length >= 10 || undefined, 30_000);
});

after(async () => {
  await sim.close();
  tmp.cleanup();
});

test('kubectl get pods -A -l spark-role=executor prints the pod table', { timeout: 30_000 }, async () => {
  const r = await kubectl(kc, tmp.dir, ['get', 'pods', '-A', '-l', 'spark-role=executor']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0] ?? '', /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
  assert.ok(lines.length > 10);
  assert.ok(lines.slice(1).every((l) => /-exec-\d+\s/.test(l)), 'only executors');
  assert.ok(lines.some((l) => /\sRunning\s/.test(l)));
});

test('kubectl get resourcequota -A and sparkapplications -A', { timeout: 30_000 }, async () => {
  const q = await kubectl(kc, tmp.dir, ['get', 'resourcequota', '-A']);
  assert.equal(q.code, 0, q.stderr);
  assert.match(q.stdout, /team-finance\s+team-finance-compute\s+\S+\s+pods: \d+\/40, requests.cpu: \S+\/40, requests.memory: \S+\/62Gi/);
  const s = await kubectl(kc, tmp.dir, ['get', 'sparkapplications', '-A']);
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stdout, /team-analytics\s+sessionize-clicks\s+(SUBMITTED|RUNNING)/);
  const short = await kubectl(kc, tmp.dir, ['get', 'sparkapp', '-n', 'team-ml', '-o', 'json']);
  assert.equal(short.code, 0, short.stderr);
  const list = JSON.parse(short.stdout) as { items: Array<{ metadata: { name: string } }> };
  assert.deepEqual(list.items.map((i) => i.metadata.name), ['feature-store-backfill']);
});

test('kubectl api-resources lists core and spark-operator resources', { timeout: 30_000 }, async () => {
  const r = await kubectl(kc, tmp.dir, ['api-resources']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^pods\s+po\s+v1\s+true\s+Pod$/m);
  assert.match(r.stdout, /^sparkapplications\s+sparkapp\s+sparkoperator.k8s.io\/v1beta2\s+true\s+SparkApplication$/m);
  assert.match(r.stdout, /^resourcequotas\s+quota\s+v1\s+true\s+ResourceQuota$/m);
});

test('kubectl get -o yaml returns the full object', { timeout: 30_000 }, async () => {
  const name = sim.cluster.list('pods', 'team-analytics').find((p) => p.metadata.labels?.['spark-role'] === 'driver')?.metadata.name ?? '';
  const r = await kubectl(kc, tmp.dir, ['get', 'pod', '-n', 'team-analytics', name, '-o', 'yaml']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /spark-role: driver/);
  assert.match(r.stdout, /name: spark-kubernetes-driver/);
});

test('kubectl get pods -w receives the scenario events', { timeout: 30_000 }, async () => {
  const out = await kubectlWatch(kc, tmp.dir, ['get', 'pods', '-n', 'team-streaming', '-w'], 6000);
  const lines = out.trim().split('\n').filter((l) => l.trim() !== '');
  assert.match(lines[0] ?? '', /^NAME\s+READY\s+STATUS/);
  // Initial listing plus changes made while watching (6 real s = 3 simulated minutes).
  assert.ok(lines.length > 3, out);
  assert.ok(lines.some((l) => /(Terminating|Completed|Error|ContainerCreating|Pending)/.test(l)), out);
});

test('kubectl delete pod: the pod goes, the simulated driver asks for another executor', { timeout: 30_000 }, async () => {
  const before = sim.cluster.list('pods', 'team-analytics').filter((p) => p.metadata.labels?.['spark-role'] === 'executor' && p.metadata.labels['spark-app-name'] === 'sessionize-clicks' && !p.metadata.deletionTimestamp);
  const victim = before[0];
  assert.ok(victim);
  const appId = victim.metadata.labels?.['spark-app-selector'] ?? '';
  const truth = sim.truth.get(`team-analytics/${appId}`);
  assert.ok(truth);
  const starts = truth.executorStarts;
  const deleted = truth.exits.deleted;
  const maxId = Math.max(...before.map((p) => Number(p.metadata.labels?.['spark-exec-id'])));
  const r = await kubectl(kc, tmp.dir, ['delete', 'pod', '-n', 'team-analytics', victim.metadata.name]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`pod "${victim.metadata.name}" deleted`));
  assert.equal(sim.cluster.get('pods', 'team-analytics', victim.metadata.name), undefined, 'kubectl waited until the pod was gone');
  assert.ok(truth.exits.deleted >= deleted + 1);
  await waitFor('a replacement executor', () => truth.executorStarts > starts || undefined, 15_000);
  const ids = sim.cluster.list('pods', 'team-analytics').filter((p) => p.metadata.labels?.['spark-app-selector'] === appId).map((p) => Number(p.metadata.labels?.['spark-exec-id'] ?? 0));
  assert.ok(Math.max(...ids) > maxId, 'the new executor has a higher id');
});

test('TLS with a bearer token: kubectl works with the kubeconfig, fails without the token', { timeout: 60_000 }, async () => {
  const t = tempDir('sim-tls-');
  const kcTls = join(t.dir, 'kubeconfig');
  const secure = await startSimulator({ scenario: 'quota-crunch', tls: true, speed: 10, seed: 3, kubeconfigOut: kcTls });
  try {
    assert.match(secure.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const text = readFileSync(kcTls, 'utf8');
    assert.match(text, /certificate-authority-data: /);
    assert.match(text, /token: /);
    const ok = await kubectl(kcTls, t.dir, ['get', 'resourcequota', '-A']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /reporting-compute/);
    const noToken = join(t.dir, 'no-token');
    writeFileSync(noToken, text.replace(/token: \S+/, 'token: wrong'));
    const denied = await kubectl(noToken, t.dir, ['get', 'pods', '-A']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /Unauthorized|must be logged in/);
    assert.ok((secure.faults.counts()['unauthorized'] ?? 0) > 0);
  } finally {
    await secure.close();
    t.cleanup();
  }
});
