/**
 * Sharding proven end to end: one unsharded exporter and three shards (--shard i --total-shards 3)
 * watch the same simulated cluster through the same events; the union of the shards' series must
 * equal the unsharded exporter's series exactly, and every application (and every namespace) must
 * live in exactly one shard.
 *
 * Simulated time is frozen (a near-zero speed) and moved by hand, so all four processes see the
 * same objects and the same events; they are compared once each has counted every pod event the
 * simulator emitted, and after the 30 s executor-id gap grace has expired everywhere, so the
 * skipped-id counters cannot straddle the comparison.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { PROCESS_METRIC_PREFIXES } from '../../src/catalogue/metrics.js';
import { shardOf } from '../../src/domain/shard.js';
import { startSimulator, type RunningSimulator } from '../../src/sim/index.js';
import { parseExposition, sum, type Sample } from '../support/exposition.js';
import { startExporterProcess, waitFor, type ExporterProcess } from '../support/exporter-process.js';

const SHARDS = 3;
// The exporter's executor-id gap grace (src/exporter.ts) plus two model ticks.
const GAP_SETTLE_MS = 30_000 + 5_000;
// Ages are measured by each process's own clock: compared by value only within this much.
/** Ages measured by each process's own clock at its own scrape: equal within the scrape spread. */
const AGE_FAMILIES = new Set(['spark_k8s_executor_pending_oldest_age_seconds', 'spark_k8s_application_state_seconds']);

let sim: RunningSimulator;
let dir = '';
/** Index 0 unsharded, then shards 0..SHARDS-1. */
const exporters: ExporterProcess[] = [];
const started: ExporterProcess[] = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shard-test-'));
  const kubeconfig = join(dir, 'kubeconfig');
  // 1e-6: the real-time timer never reaches a whole simulated step; time moves only by advance().
  // No pods yet when the exporters list: every app is first seen through watch events, after
  // the namespaces (team fallbacks) are known, so no process depends on which list came first.
  sim = await startSimulator({ scenario: 'demo', speed: 1e-6, seed: 11, kubeconfigOut: kubeconfig, bookmarkIntervalSeconds: 1 });
  // The helper learns each URL from the info-level "serving" log line: keep the default log level.
  const common = ['--kubeconfig', kubeconfig, '--process-metrics=false', '--audit-interval', '0'];
  const argv = [common, ...Array.from({ length: SHARDS }, (_, i) => [...common, '--shard', String(i), '--total-shards', String(SHARDS)])];
  // Each one recorded as soon as it runs, so after() stops it even if a sibling failed to start.
  const results = await Promise.allSettled(
    argv.map(async (a, i) => {
      const e = await startExporterProcess(a);
      started.push(e);
      exporters[i] = e;
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
});

after(async () => {
  await Promise.all(started.map((e) => e.stop('SIGKILL')));
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200);
  return res.text();
}

function podEvents(text: string): number {
  return sum(parseExposition(text), 'spark_k8s_exporter_watch_events_total', { resource: 'pods' }) -
    sum(parseExposition(text), 'spark_k8s_exporter_watch_events_total', { resource: 'pods', type: 'BOOKMARK' });
}

/** The series that describe the cluster: the exporter's own health and Node's process metrics left out. */
function clusterSeries(text: string): Sample[] {
  return parseExposition(text).samples.filter(
    (s) => !s.name.startsWith('spark_k8s_exporter_') && !PROCESS_METRIC_PREFIXES.some((p) => s.name.startsWith(p)),
  );
}

function key(s: Sample): string {
  const labels = Object.keys(s.labels).sort().map((k) => `${k}=${JSON.stringify(s.labels[k])}`);
  return `${s.name}{${labels.join(',')}}`;
}

test('the union of 3 shards equals one unsharded exporter, each app in exactly one shard', { timeout: 90_000 }, async () => {
  for (const e of exporters) {
    await waitFor('exporter ready', async () => (await fetch(`${e.url}/readyz`)).status === 200, 20_000);
    // /readyz waits for pods and quotas only; namespace team labels must be in before any pod.
    await waitFor('namespaces synced', async () => sum(parseExposition(await scrape(e.url)), 'spark_k8s_exporter_synced', { resource: 'namespaces' }) === 1, 20_000);
  }

  // Every pod event from here on must reach all four processes (each watches every namespace;
  // sharding happens in the model), so each one's event counter is a precise catch-up test.
  const baseline = await Promise.all(exporters.map(async (e) => podEvents(await scrape(e.url))));
  let emitted = 0;
  const unsubscribe = sim.cluster.world.cluster.store.subscribe((ev) => {
    if (ev.resource === 'pods') emitted++;
  });
  // 20 simulated minutes in 30 s slices: apps start, scale, OOM, hit quota, get preempted.
  for (let i = 0; i < 40; i++) {
    sim.cluster.advance(30_000);
    await new Promise((r) => setTimeout(r, 20));
  }
  unsubscribe();
  assert.ok(emitted > 200, `the scenario produced ${emitted} pod events`);
  await waitFor(
    'every exporter counted every pod event',
    async () => {
      const now = await Promise.all(exporters.map(async (e) => podEvents(await scrape(e.url))));
      return now.every((n, i) => n - (baseline[i] ?? 0) === emitted) || undefined;
    },
    30_000,
    250,
  );
  const caughtUp = Date.now();
  await new Promise((r) => setTimeout(r, GAP_SETTLE_MS));

  const texts = await Promise.all(exporters.map((e) => scrape(e.url)));
  const scrapeSpreadS = (Date.now() - caughtUp) / 1000;
  const [whole, ...shards] = texts.map(clusterSeries) as [Sample[], ...Sample[][]];
  assert.equal(shards.length, SHARDS);
  assert.ok(whole.length > 100, `the unsharded exporter serves ${whole.length} cluster series`);

  // Union of the shards, refusing a series served by two shards.
  const union = new Map<string, Sample>();
  const shardOfSeries = new Map<string, number>();
  shards.forEach((series, i) => {
    for (const s of series) {
      const k = key(s);
      assert.ok(!union.has(k), `${k} is served by shard ${shardOfSeries.get(k)} and shard ${i}`);
      union.set(k, s);
      shardOfSeries.set(k, i);
    }
  });
  const wholeMap = new Map(whole.map((s) => [key(s), s]));
  assert.deepEqual([...union.keys()].sort(), [...wholeMap.keys()].sort(), 'the same series, no more, no fewer');
  for (const [k, s] of wholeMap) {
    const u = union.get(k)!;
    if (AGE_FAMILIES.has(s.name)) {
      assert.ok(Math.abs(u.value - s.value) <= scrapeSpreadS + 5, `${k}: ${u.value} vs ${s.value} (ages by each process's clock)`);
    } else {
      assert.equal(u.value, s.value, `${k}: shards say ${u.value}, unsharded says ${s.value}`);
    }
  }

  // Every app and every namespace in exactly one shard, the one the hash names.
  const appShards = new Map<string, Set<number>>();
  const nsShards = new Map<string, Set<number>>();
  shards.forEach((series, i) => {
    for (const s of series) {
      const ns = s.labels['namespace'];
      assert.ok(ns, `${key(s)} carries a namespace`);
      (nsShards.get(ns) ?? nsShards.set(ns, new Set()).get(ns)!).add(i);
      const app = s.labels['app_id'];
      if (app) (appShards.get(app) ?? appShards.set(app, new Set()).get(app)!).add(i);
    }
  });
  assert.ok(appShards.size >= 5, `${appShards.size} apps seen`);
  for (const [app, in_] of appShards) assert.equal(in_.size, 1, `app ${app} is in shards ${[...in_].join(',')}`);
  for (const [ns, in_] of nsShards) {
    assert.deepEqual([...in_], [shardOf(ns, SHARDS)], `namespace ${ns} lives in shard ${shardOf(ns, SHARDS)} only`);
  }
  const used = new Set([...nsShards.values()].flatMap((s) => [...s]));
  assert.ok(used.size >= 2, `the namespaces spread over ${used.size} shards: the split is real, not all in one`);
});
