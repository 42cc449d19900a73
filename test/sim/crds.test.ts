/**
 * The three Spark operator CRDs are installed independently: discovery and routes follow exactly
 * the installed set, kubectl sees the new kinds, and the exporter serves what is there while it
 * logs each missing CRD once.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startSimulator } from '../../src/sim/index.js';
import { kubectl, tempDir } from './helpers.js';

async function get(url: string, token: string | undefined): Promise<{ status: number; body: unknown }> {
  const r = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  return { status: r.status, body: r.status === 200 ? await r.json() : undefined };
}

test('only some CRDs installed: discovery and routes follow the installed set', { timeout: 30_000 }, async () => {
  const sim = await startSimulator({ scenario: 'schedule', speed: 1e-6, seed: 1, crds: ['scheduledsparkapplications'] });
  try {
    const groups = (await get(`${sim.url}/apis`, sim.token)).body as { groups: { name: string }[] };
    assert.deepEqual(groups.groups.map((g) => g.name), ['sparkoperator.k8s.io']);
    const kinds = (await get(`${sim.url}/apis/sparkoperator.k8s.io/v1beta2`, sim.token)).body as { resources: { name: string }[] };
    assert.deepEqual(kinds.resources.map((r) => r.name), ['scheduledsparkapplications', 'scheduledsparkapplications/status']);
    assert.equal((await get(`${sim.url}/apis/sparkoperator.k8s.io/v1beta2/scheduledsparkapplications`, sim.token)).status, 200);
    assert.equal((await get(`${sim.url}/apis/sparkoperator.k8s.io/v1beta2/sparkapplications`, sim.token)).status, 404);
    assert.equal((await get(`${sim.url}/apis/spark.apache.org/v1/sparkapplications`, sim.token)).status, 404);
    assert.equal((await get(`${sim.url}/apis/spark.apache.org`, sim.token)).status, 404);
    // Installed while running: the Apache group appears, alone in its group.
    sim.faults.sparkApplicationCrd(true, ['sparkapplications.spark.apache.org']);
    const after = (await get(`${sim.url}/apis`, sim.token)).body as { groups: { name: string }[] };
    assert.deepEqual(after.groups.map((g) => g.name), ['sparkoperator.k8s.io', 'spark.apache.org']);
    assert.equal((await get(`${sim.url}/apis/spark.apache.org/v1/sparkapplications`, sim.token)).status, 200);
  } finally {
    await sim.close();
  }
});

test('kubectl lists ScheduledSparkApplications and Apache SparkApplications', { timeout: 30_000 }, async () => {
  const tmp = tempDir('sim-crds-');
  const kc = join(tmp.dir, 'kubeconfig');
  const sim = await startSimulator({ scenario: 'stuck', speed: 1e-6, seed: 1, kubeconfigOut: kc });
  const sched = await startSimulator({ scenario: 'schedule', speed: 1e-6, seed: 1, kubeconfigOut: join(tmp.dir, 'kc2') });
  try {
    sim.cluster.advance(5000);
    const apache = await kubectl(kc, tmp.dir, ['get', 'sparkapplications.spark.apache.org', '-A']);
    assert.equal(apache.code, 0, apache.stderr);
    assert.match(apache.stdout, /^NAMESPACE\s+NAME\s+CURRENT STATE\s+AGE$/m);
    assert.match(apache.stdout, /^ingest\s+pi-stuck\s+DriverRequested\s+/m);
    const kubeflow = await kubectl(kc, tmp.dir, ['get', 'sparkapp', '-n', 'ingest']);
    assert.equal(kubeflow.code, 0, kubeflow.stderr);
    assert.match(kubeflow.stdout, /rerun-stuck\s+PENDING_RERUN/);
    const s = await kubectl(join(tmp.dir, 'kc2'), tmp.dir, ['get', 'scheduledsparkapp', '-n', 'reporting']);
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+LAST RUN\s+LAST RUN AGE\s+AGE$/m);
    assert.match(s.stdout, /^paused-export\s+0 3 \* \* \*\s+true\s+/m);
  } finally {
    await sim.close();
    await sched.close();
    tmp.cleanup();
  }
});
