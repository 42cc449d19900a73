/**
 * The real exporter binary restarted mid-scenario, and SIGTERM in the middle of scrapes.
 *
 * Restart: counters start again from zero in the new process (as Prometheus expects of a counter
 * reset) and must not count again anything that ended before the restart. The sum of increases
 * over both processes is compared with the truth over the same window; what happened between the
 * old process's last scrape and the new one's first list is the restart gap, reported.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startSimulator } from '../../src/sim/index.js';
import { parseExposition, sum } from '../support/exposition.js';
import { startExporterProcess, waitFor, type ExporterProcess } from '../support/exporter-process.js';
import { counted, sleep, tempDir, truthDelta, assertSane } from '../support/sim-pair.js';

async function metrics(url: string) {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200);
  return parseExposition(await res.text());
}

async function ready(ex: ExporterProcess): Promise<void> {
  await waitFor('ready', async () => (await fetch(`${ex.url}/readyz`)).status === 200, 20_000);
}

test('restart mid-scenario: nothing counted twice; the restart gap is measured', { timeout: 120_000 }, async () => {
  const tmp = tempDir('rel-restart-');
  const kubeconfig = join(tmp.dir, 'kubeconfig');
  const sim = await startSimulator({ scenario: 'oom', speed: 60, seed: 21, kubeconfigOut: kubeconfig, bookmarkIntervalSeconds: 0.5 });
  const args = ['--kubeconfig', kubeconfig, '--audit-interval', '0', '--no-process-metrics'];
  let a: ExporterProcess | undefined;
  let b: ExporterProcess | undefined;
  try {
    sim.pause();
    a = await startExporterProcess(args);
    await ready(a);
    await sleep(500);
    const base = structuredClone(sim.truth.totals());
    sim.resume();
    await sleep(8000);
    // Prometheus' view: the last scrape of the old process, then it is gone.
    const last = counted(await metrics(a.url));
    assert.equal(await a.stop('SIGTERM'), 0);
    const beforeB = structuredClone(sim.truth.totals());
    b = await startExporterProcess(args);
    await ready(b);
    const afterGap = structuredClone(sim.truth.totals());
    const firstB = counted(await metrics(b.url));
    // A fresh process counts only what happened after it started (the workload keeps running).
    const sinceB = truthDelta(sim.truth.totals(), beforeB);
    assert.ok(firstB.starts <= sinceB.starts && firstB.exitsTotal <= sinceB.exitsTotal && firstB.oomExecutor <= sinceB.oomExecutor, `first scrape ${JSON.stringify(firstB)} vs truth since start ${JSON.stringify(sinceB)}`);
    await sleep(8000);
    sim.pause();
    await sleep(1500);
    const p = await metrics(b.url);
    assertSane(p);
    const second = counted(p);
    const truth = truthDelta(sim.truth.totals(), base);
    const gap = truthDelta(afterGap, base);
    const total = { starts: last.starts + second.starts, exits: last.exitsTotal + second.exitsTotal, oom: last.oomExecutor + second.oomExecutor };
    assert.ok(truth.starts > 20 && truth.oomExecutor > 3, JSON.stringify(truth));
    // Never more than happened: nothing ended before the restart is counted again.
    assert.ok(total.starts <= truth.starts, `starts ${total.starts} > ${truth.starts}`);
    assert.ok(total.exits <= truth.exitsTotal, `exits ${total.exits} > ${truth.exitsTotal}`);
    assert.ok(total.oom <= truth.oomExecutor, `OOMKills ${total.oom} > ${truth.oomExecutor}`);
    // What is missing happened in the gap (after the old process's last scrape, before the new
    // one listed), and only there.
    const missing = { starts: truth.starts - total.starts, exits: truth.exitsTotal - total.exits, oom: truth.oomExecutor - total.oom };
    const inGap = { starts: gap.starts - last.starts, exits: gap.exitsTotal - last.exitsTotal, oom: gap.oomExecutor - last.oomExecutor };
    assert.ok(missing.starts <= inGap.starts && missing.exits <= inGap.exits && missing.oom <= inGap.oom, `missing ${JSON.stringify(missing)} beyond the gap ${JSON.stringify(inGap)}`);
    process.stdout.write(`# reliability restart: ${JSON.stringify({ truth: { starts: truth.starts, exits: truth.exitsTotal, oom: truth.oomExecutor }, counted: total, missingInGap: missing, gapEvents: inGap })}\n`);
    assert.equal(sum(p, 'spark_k8s_exporter_synced'), 6, 'pods, quotas, namespaces and the three Spark operator resources');
  } finally {
    await a?.stop('SIGKILL');
    await b?.stop('SIGKILL');
    await sim.close();
    tmp.cleanup();
  }
});

test('SIGTERM during scrapes: each scrape completes whole or fails cleanly, and the exit is 0', { timeout: 90_000 }, async () => {
  const tmp = tempDir('rel-term-');
  const kubeconfig = join(tmp.dir, 'kubeconfig');
  // Enough pods that a scrape takes a while to render and send.
  const sim = await startSimulator({ scenario: 'scale', scale: { pods: 20_000, apps: 400 }, seed: 4, kubeconfigOut: kubeconfig });
  let ex: ExporterProcess | undefined;
  try {
    ex = await startExporterProcess(['--kubeconfig', kubeconfig, '--audit-interval', '0']);
    await ready(ex);
    const url = ex.url;
    const full = await (await fetch(`${url}/metrics`)).text();
    assert.ok(full.length > 1_000_000, `a large exposition: ${full.length} bytes`);
    // A response the shutdown cuts (the exporter exits at most 10 s after SIGTERM) must be one the
    // client can tell is cut: chunked, its read fails without the last chunk. That is a clean
    // failure, like a refused connection; a short body taken for a whole one would not be.
    const scrapes = Array.from({ length: 6 }, () =>
      fetch(`${url}/metrics`, { signal: AbortSignal.timeout(20_000) }).then(
        async (r) => {
          const announced = r.headers.get('transfer-encoding');
          try {
            return { status: r.status, body: await r.text(), announced };
          } catch (e) {
            return { status: 0, body: `cut and detected: ${String(e)}`, announced };
          }
        },
        (e: unknown) => ({ status: 0, body: String(e), announced: null }),
      ),
    );
    await sleep(30);
    const code = ex.stop('SIGTERM');
    const results = await Promise.all(scrapes);
    assert.equal(await code, 0, 'graceful exit');
    let completed = 0;
    for (const r of results) {
      if (r.status === 200) {
        // Whole: parses, ends where the exposition ends, every family present.
        const p = parseExposition(r.body);
        assert.ok(r.body.endsWith('\n'));
        assert.equal(r.announced, 'chunked', 'framed, so a cut is always detectable');
        assert.ok(p.types.has('spark_k8s_exporter_total_shards'), 'the last family is there');
        assert.ok(sum(p, 'spark_k8s_pods') >= 20_000);
        completed++;
      } else {
        assert.equal(r.status, 0, `a failed scrape fails as a connection error, not a partial 200: ${r.body}`);
      }
    }
    assert.ok(completed >= 1, 'in-flight scrapes are finished, not cut');
    const exporter = ex;
    await waitFor('it says it is shutting down', () => exporter.logs.some((l) => l.includes('shutting down')) || undefined, 5_000);
    process.stdout.write(`# reliability sigterm: ${JSON.stringify({ inFlight: results.length, completed, bytes: full.length })}\n`);
  } finally {
    await ex?.stop('SIGKILL');
    await sim.close();
    tmp.cleanup();
  }
});
