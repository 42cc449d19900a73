/**
 * Soak: the real binary against the simulator's scale mode while executors are replaced
 * continuously (driveEvents: terminated → deleted → a new one added), scraped every few seconds.
 * Memory and the number of series must stay flat: nothing accumulates per ended pod.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startSimulator } from '../../src/sim/index.js';
import { parseExposition, sum } from '../support/exposition.js';
import { startExporterProcess, waitFor, type ExporterProcess } from '../support/exporter-process.js';
import { rssBytes, sleep, tempDir } from '../support/sim-pair.js';

const SECONDS = Number(process.env['SOAK_SECONDS'] ?? 60);
const HEAP_LIMIT_MIB = 128;

interface Sample {
  t: number;
  rssMiB: number;
  heapMiB: number;
  series: number;
  pods: number;
  events: number;
}

test(`soak: ${SECONDS} s of executor churn at scale, flat memory and series`, { timeout: (SECONDS + 60) * 1000 }, async () => {
  const tmp = tempDir('rel-soak-');
  const kubeconfig = join(tmp.dir, 'kubeconfig');
  const sim = await startSimulator({ scenario: 'scale', scale: { pods: 5000, apps: 100 }, seed: 9, kubeconfigOut: kubeconfig, bookmarkIntervalSeconds: 5 });
  let ex: ExporterProcess | undefined;
  try {
    // A hard ceiling as well as the samples: a leak would end the process, not just bend a curve.
    ex = await startExporterProcess(['--kubeconfig', kubeconfig, '--audit-interval', '20s'], { NODE_OPTIONS: `--max-old-space-size=${HEAP_LIMIT_MIB}` });
    const url = ex.url;
    await waitFor('ready', async () => (await fetch(`${url}/readyz`)).status === 200, 30_000);
    const pid = ex.child.pid!;
    const samples: Sample[] = [];
    const started = Date.now();
    const driving = sim.driveEvents({ perSecond: 150, seconds: SECONDS });
    let done = false;
    void driving.finally(() => (done = true));
    while (!done) {
      const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(15_000) })).text();
      const p = parseExposition(text);
      samples.push({
        t: Math.round((Date.now() - started) / 1000),
        rssMiB: Math.round(rssBytes(pid) / 2 ** 20),
        heapMiB: Math.round(sum(p, 'nodejs_heap_size_used_bytes') / 2 ** 20),
        series: p.samples.length,
        pods: sum(p, 'spark_k8s_exporter_tracked_objects', { resource: 'pods' }),
        events: sum(p, 'spark_k8s_exporter_watch_events_total', { resource: 'pods' }),
      });
      await sleep(5000);
    }
    const { sent } = await driving;
    await sleep(2000);
    const last = parseExposition(await (await fetch(`${url}/metrics`)).text());
    assert.ok(sent >= 150 * SECONDS * 0.9, `events driven: ${sent}`);
    // Executors replaced, not added: the tracked pods equal the simulator's.
    assert.equal(sum(last, 'spark_k8s_exporter_tracked_objects', { resource: 'pods' }), sim.cluster.list('pods').filter((p) => p.metadata.labels?.['spark-role']).length);
    // Audits compare at the list's resourceVersion while events stream: churn is not drift.
    const drift = sum(last, 'spark_k8s_exporter_audit_drift_total');
    const podEvents = sum(last, 'spark_k8s_exporter_watch_events_total', { resource: 'pods' });
    assert.equal(drift, 0, `audit drift ${drift} with no event lost (${podEvents} pod events)`);
    assert.ok(sum(last, 'spark_k8s_exporter_list_total', { resource: 'pods', result: 'success' }) >= 3, 'the audits ran');
    const third = Math.max(1, Math.floor(samples.length / 3));
    const early = samples.slice(1, 1 + third);
    const late = samples.slice(-third);
    const max = (xs: Sample[], k: keyof Sample) => Math.max(...xs.map((s) => s[k]));
    // Series: per application, not per pod: churn leaves the count where it was (±2%).
    assert.ok(Math.abs(max(late, 'series') - max(early, 'series')) <= max(early, 'series') * 0.02, `series ${samples.map((s) => s.series).join(' ')}`);
    // Memory: the late peak within 25% (+24 MiB for GC timing) of the early peak, and it lived.
    assert.ok(max(late, 'heapMiB') <= max(early, 'heapMiB') * 1.25 + 24, `heap MiB ${samples.map((s) => s.heapMiB).join(' ')}`);
    assert.ok(max(late, 'rssMiB') <= max(early, 'rssMiB') * 1.25 + 24, `RSS MiB ${samples.map((s) => s.rssMiB).join(' ')}`);
    assert.equal(ex.child.exitCode, null, `alive within a ${HEAP_LIMIT_MIB} MiB heap`);
    process.stdout.write(`# reliability soak: ${JSON.stringify({ seconds: SECONDS, heapLimitMiB: HEAP_LIMIT_MIB, eventsDriven: sent, podEventsSeen: podEvents, auditDrift: drift, samples })}\n`);
  } finally {
    await ex?.stop('SIGKILL');
    await sim.close();
    tmp.cleanup();
  }
});
