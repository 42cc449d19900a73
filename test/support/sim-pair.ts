/**
 * A simulator and an in-process exporter wired together for the end-to-end and reliability tests: a window on
 * the truth (what happened between two points), /metrics read over HTTP, and the exporter's log
 * captured as JSON lines so tests can check that it said what happened.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { DEFAULT_CONFIG, startExporter, type ExporterConfig, type RunningExporter } from '../../src/exporter.js';
import { startSimulator, type RunningSimulator, type SimulatorOptions, type TruthTotals } from '../../src/sim/index.js';
import type { KObject, Pod } from '../../src/sim/types.js';
import { parseExposition, select, sum, type ParsedExposition as Parsed } from './exposition.js';
import { waitFor } from './exporter-process.js';

export { waitFor };

/** JSON log lines of an in-process exporter. */
export class LogCapture {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly logger: Logger;

  constructor(level = 'info') {
    const lines = this.lines;
    const stream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString('utf8').split('\n')) {
          if (!l) continue;
          try {
            lines.push(JSON.parse(l) as Record<string, unknown>);
          } catch {
            lines.push({ msg: l });
          }
        }
        cb();
      },
    });
    this.logger = pino({ level }, stream);
  }

  has(msg: string | RegExp, fields: Record<string, unknown> = {}): boolean {
    return this.lines.some((l) => (typeof msg === 'string' ? String(l['msg']).includes(msg) : msg.test(String(l['msg']))) && Object.entries(fields).every(([k, v]) => l[k] === v));
  }
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Pair {
  readonly sim: RunningSimulator;
  readonly exporter: RunningExporter;
  readonly log: LogCapture;
  readonly kubeconfig: string;
  /** Truth at the moment the exporter had synced and the workload resumed. */
  readonly baseline: TruthTotals;
  close(): Promise<void>;
}

export interface PairOptions {
  readonly sim: Omit<SimulatorOptions, 'kubeconfigOut'>;
  readonly exporter?: Partial<ExporterConfig>;
}

/** Exporter settings for tests: loopback, a free port, short timeouts, no process metrics. */
export function testConfig(kubeconfig: string, over: Partial<ExporterConfig> = {}): ExporterConfig {
  return {
    ...DEFAULT_CONFIG,
    kubeconfig,
    host: '127.0.0.1',
    port: 0,
    watchIdleTimeoutMs: 2000,
    auditIntervalMs: 0,
    processMetrics: false,
    tickMs: 200,
    ...over,
  };
}

/**
 * Starts the simulator paused, the exporter against it, waits for the exporter to be ready and
 * for in-flight deletions to finish (a pod mid-deletion at the boundary would be counted on one
 * side of the window only), then records the truth and lets the workload run.
 */
export async function startPair(opts: PairOptions): Promise<Pair> {
  const tmp = tempDir('rel-');
  const kubeconfig = join(tmp.dir, 'kubeconfig');
  const sim = await startSimulator({ bookmarkIntervalSeconds: 0.5, ...opts.sim, kubeconfigOut: kubeconfig });
  sim.pause();
  const log = new LogCapture();
  let exporter: RunningExporter | undefined;
  try {
    exporter = await startExporter(testConfig(kubeconfig, opts.exporter), log.logger);
    const ex = exporter;
    await waitFor('exporter ready', () => ex.self.ready(), 20_000);
    await quiesce(sim, ex);
  } catch (e) {
    await exporter?.stop();
    await sim.close();
    tmp.cleanup();
    throw e;
  }
  const baseline = structuredClone(sim.truth.totals());
  sim.resume();
  const ex = exporter;
  return {
    sim,
    exporter: ex,
    log,
    kubeconfig,
    baseline,
    async close() {
      await ex.stop();
      await sim.close();
      tmp.cleanup();
    },
  };
}

/** With the workload paused: waits until no pod is mid-deletion and the exporter holds the sim's pods. */
export async function quiesce(sim: RunningSimulator, ex: RunningExporter, timeoutMs = 20_000): Promise<void> {
  await waitFor('deletions to finish and the exporter to catch up', () => {
    const pods = sparkPods(sim);
    if (pods.some((p) => p.metadata.deletionTimestamp !== undefined)) return undefined;
    if (ex.model.pods.records.size !== pods.length) return undefined;
    for (const p of pods) {
      const rec = ex.model.pods.records.get(p.metadata.uid);
      if (!rec || rec.phase !== p.status.phase) return undefined;
    }
    return true;
  }, timeoutMs, 50);
}

export function sparkPods(sim: RunningSimulator): Pod[] {
  return sim.cluster.list('pods').filter((p: KObject) => p.metadata.labels?.['spark-role'] !== undefined) as Pod[];
}

export async function scrape(url: string, init: RequestInit = {}): Promise<Parsed> {
  const res = await fetch(`${url}/metrics`, { ...init, signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200);
  return parseExposition(await res.text());
}

/** Truth between the baseline and now. */
export function truthDelta(now: TruthTotals, base: TruthTotals): { starts: number; exits: Record<string, number>; exitsTotal: number; oomExecutor: number; oomDriver: number } {
  const exits: Record<string, number> = {};
  let exitsTotal = 0;
  for (const k of Object.keys(now.exits) as Array<keyof TruthTotals['exits']>) {
    exits[k] = now.exits[k] - base.exits[k];
    exitsTotal += exits[k];
  }
  return { starts: now.executorStarts - base.executorStarts, exits, exitsTotal, oomExecutor: now.oomKills.executor - base.oomKills.executor, oomDriver: now.oomKills.driver - base.oomKills.driver };
}

/** What /metrics counted: the counters summed over every app. */
export function counted(p: Parsed): { starts: number; exits: Record<string, number>; exitsTotal: number; oomExecutor: number; oomDriver: number } {
  const exits: Record<string, number> = {};
  for (const s of select(p, 'spark_k8s_executor_exits_total')) exits[s.labels['reason'] ?? '?'] = (exits[s.labels['reason'] ?? '?'] ?? 0) + s.value;
  return {
    starts: sum(p, 'spark_k8s_executor_starts_total'),
    exits,
    exitsTotal: sum(p, 'spark_k8s_executor_exits_total'),
    oomExecutor: sum(p, 'spark_k8s_container_oom_kills_total', { role: 'executor' }),
    oomDriver: sum(p, 'spark_k8s_container_oom_kills_total', { role: 'driver' }),
  };
}

/** Live pods per role/phase as the simulator holds them, and as /metrics shows them. */
export function livePods(sim: RunningSimulator): Map<string, number> {
  const m = new Map<string, number>();
  for (const p of sparkPods(sim)) {
    const k = `${p.metadata.labels?.['spark-role'] ?? '?'}/${p.status.phase}`;
    m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
}

export function exportedPods(p: Parsed): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of select(p, 'spark_k8s_pods')) {
    if (s.value === 0) continue;
    const k = `${s.labels['role'] ?? '?'}/${s.labels['phase'] ?? '?'}`;
    m.set(k, (m.get(k) ?? 0) + s.value);
  }
  return m;
}

export function sortedEntries(m: Map<string, number>): Array<[string, number]> {
  return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Checks a whole exposition for poisoned values: NaN, infinities (outside le="+Inf"), negatives. */
export function assertSane(p: Parsed, maxLabelLength = 128): void {
  for (const s of p.samples) {
    assert.ok(Number.isFinite(s.value), `${s.name}${JSON.stringify(s.labels)} = ${s.value}`);
    assert.ok(s.value >= 0, `${s.name}${JSON.stringify(s.labels)} negative: ${s.value}`);
    // Values from the cluster are bounded; the exporter's own enums and Node's process metrics need not be.
    if (s.name.startsWith('spark_k8s_exporter_') || s.name.startsWith('nodejs_') || s.name.startsWith('process_')) continue;
    for (const [k, v] of Object.entries(s.labels)) assert.ok(k === 'le' || Array.from(v).length <= maxLabelLength, `${s.name} label ${k} is ${v.length} long`);
  }
}

/** Resident memory of a process, from procfs. */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN) * 1024;
}
