/**
 * The fault soak: a scenario at high speed for simulated hours, the exporter as its own `serve`
 * process (as users run it), watches dropped and 500s / 429s injected on the reconnects at a
 * fixed real-time interval; then the workload is paused, the exporter given time to converge, and
 * every counter it keeps is compared with the simulator's ground truth over the same window.
 * Shared by the short test (test/reliability/fault-soak.test.ts) and the long run
 * (bench/fault-soak.ts, the figures in docs/reliability.md).
 */
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { startSimulator, type RunningSimulator, type TruthTotals } from '../../src/sim/index.js';
import { parseExposition, select, sum, type ParsedExposition as Parsed } from './exposition.js';
import { startExporterProcess, waitFor, type ExporterProcess } from './exporter-process.js';
import { counted, exportedPods, livePods, rssBytes, sleep, sortedEntries, sparkPods, tempDir, truthDelta } from './sim-pair.js';

export interface FaultSoakOptions {
  scenario: string;
  /** Simulated seconds per real second. */
  speed: number;
  /** Simulated seconds to run the workload for. */
  simSeconds: number;
  /** Real seconds between injected faults (they rotate: drop, 500s then drop, 429s then drop). */
  faultEveryS: number;
  seed: number;
  /** Extra `serve` flags. */
  exporterArgs?: string[];
  /** Real seconds between memory/series samples. */
  sampleEveryS?: number;
  /** Progress lines (the long run prints them). */
  progress?: (line: string) => void;
}

export interface CounterSet {
  starts: number;
  exits: Record<string, number>;
  exitsTotal: number;
  oomExecutor: number;
  oomDriver: number;
  /** Burned executor ids a later executor of the same application confirmed. */
  skippedIds: number;
}

export interface FaultSoakReport {
  scenario: string;
  speed: number;
  seed: number;
  simSeconds: number;
  realSeconds: number;
  faults: { drops: number; http500: number; http429: number };
  truth: CounterSet;
  exporter: CounterSet;
  /** Ids burned by creates after which the application never got another executor: no later id can reveal them. */
  unconfirmedSkippedIds: number;
  quotaRejections: number;
  livePods: { truth: Array<[string, number]>; exporter: Array<[string, number]> };
  restarts: Record<string, number>;
  lists: number;
  implausibleIds: number;
  auditDrift: number;
  samples: Array<{ realS: number; simMin: number; rssMiB: number; series: number }>;
  /** Whether every counter and the live pods matched exactly. */
  exact: boolean;
}

function truthCounters(now: TruthTotals, base: TruthTotals): CounterSet {
  return { ...truthDelta(now, base), skippedIds: now.confirmedSkippedIds - base.confirmedSkippedIds };
}

function exporterCounters(p: Parsed): CounterSet {
  return { ...counted(p), skippedIds: sum(p, 'spark_k8s_executor_ids_skipped_total') };
}

async function metrics(url: string): Promise<Parsed> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(15_000) });
  if (res.status !== 200) throw new Error(`/metrics: HTTP ${res.status}`);
  return parseExposition(await res.text());
}

/** Exit reasons the truth knows, zeros included, so both sides compare key for key. */
function normalised(c: CounterSet, reasons: readonly string[]): CounterSet {
  const exits: Record<string, number> = {};
  for (const r of reasons) exits[r] = c.exits[r] ?? 0;
  for (const [r, n] of Object.entries(c.exits)) if (n !== 0) exits[r] = n;
  return { ...c, exits };
}

export async function runFaultSoak(o: FaultSoakOptions): Promise<FaultSoakReport> {
  const say = o.progress ?? (() => undefined);
  const tmp = tempDir('fault-soak-');
  const kubeconfig = join(tmp.dir, 'kubeconfig');
  let sim: RunningSimulator | undefined;
  let ex: ExporterProcess | undefined;
  try {
    sim = await startSimulator({ scenario: o.scenario, speed: o.speed, seed: o.seed, kubeconfigOut: kubeconfig, bookmarkIntervalSeconds: 2 });
    const s = sim;
    s.pause();
    ex = await startExporterProcess(['--kubeconfig', kubeconfig, ...(o.exporterArgs ?? [])]);
    const url = ex.url;
    await waitFor('exporter ready', async () => (await fetch(`${url}/readyz`)).status === 200, 30_000);
    await converged(s, url, 30_000);
    const base = structuredClone(s.truth.totals());
    const simStart = s.clock.now();
    const realStart = Date.now();
    s.resume();

    const faults = { drops: 0, http500: 0, http429: 0 };
    const samples: FaultSoakReport['samples'] = [];
    let nextFault = Date.now() + o.faultEveryS * 1000;
    let nextSample = Date.now();
    let turn = 0;
    while (s.clock.now() - simStart < o.simSeconds * 1000) {
      const now = Date.now();
      if (now >= nextFault) {
        nextFault = now + o.faultEveryS * 1000;
        const kind = turn++ % 3;
        if (kind === 1) {
          s.faults.failNext(3, 500);
          faults.http500 += 3;
        } else if (kind === 2) {
          s.faults.failNext(3, 429);
          faults.http429 += 3;
        }
        s.faults.dropWatches();
        faults.drops++;
      }
      if (now >= nextSample) {
        nextSample = now + (o.sampleEveryS ?? 30) * 1000;
        const p = await metrics(url).catch(() => undefined);
        const sample = {
          realS: Math.round((now - realStart) / 1000),
          simMin: Math.round((s.clock.now() - simStart) / 60_000),
          rssMiB: Math.round(rssBytes(ex.child.pid ?? 0) / 2 ** 20),
          series: p?.samples.length ?? -1,
        };
        samples.push(sample);
        say(`# soak ${JSON.stringify(sample)}`);
      }
      await sleep(250);
    }
    s.pause();
    const simSeconds = Math.round((s.clock.now() - simStart) / 1000);
    const realSeconds = Math.round((Date.now() - realStart) / 1000);
    say(`# soak: paused after ${simSeconds} simulated s (${realSeconds} real s); converging`);

    const truth = truthCounters(s.truth.totals(), base);
    const reasons = Object.keys(truth.exits);
    const want = normalised(truth, reasons);
    // Live pods first (deletions finish while paused), then the counters: the id grace and the
    // last events take a little real time.
    await converged(s, url, 60_000).catch(() => undefined);
    let last: Parsed | undefined;
    await waitFor('counters to equal the truth', async () => {
      last = await metrics(url);
      return isDeepStrictEqual(normalised(exporterCounters(last), reasons), want) || undefined;
    }, 90_000, 500).catch(() => undefined);
    const p = last ?? (await metrics(url));
    const got = normalised(exporterCounters(p), reasons);
    const totals = s.truth.totals();
    const live = { truth: sortedEntries(livePods(s)), exporter: sortedEntries(exportedPods(p)) };
    const restarts: Record<string, number> = {};
    for (const x of select(p, 'spark_k8s_exporter_watch_restarts_total')) restarts[x.labels['reason'] ?? '?'] = (restarts[x.labels['reason'] ?? '?'] ?? 0) + x.value;
    return {
      scenario: o.scenario,
      speed: o.speed,
      seed: o.seed,
      simSeconds,
      realSeconds,
      faults,
      truth: want,
      exporter: got,
      unconfirmedSkippedIds: totals.skippedIds - base.skippedIds - (totals.confirmedSkippedIds - base.confirmedSkippedIds),
      quotaRejections: totals.quotaRejections - base.quotaRejections,
      livePods: live,
      restarts,
      lists: sum(p, 'spark_k8s_exporter_list_total', { result: 'success' }),
      implausibleIds: sum(p, 'spark_k8s_exporter_objects_rejected_total', { reason: 'implausible_executor_id' }),
      auditDrift: sum(p, 'spark_k8s_exporter_audit_drift_total'),
      samples,
      exact: isDeepStrictEqual(got, want) && isDeepStrictEqual(live.truth, live.exporter),
    };
  } finally {
    await ex?.stop('SIGTERM');
    await sim?.close();
    tmp.cleanup();
  }
}

/** No deletion in flight, and /metrics shows the simulator's Spark pods by role and phase. */
async function converged(sim: RunningSimulator, url: string, timeoutMs: number): Promise<void> {
  await waitFor('the exporter to show the simulator\'s pods', async () => {
    const pods = sparkPods(sim);
    if (pods.some((p) => p.metadata.deletionTimestamp !== undefined)) return undefined;
    const p = await metrics(url);
    return isDeepStrictEqual(sortedEntries(exportedPods(p)), sortedEntries(livePods(sim))) || undefined;
  }, timeoutMs, 250);
}
