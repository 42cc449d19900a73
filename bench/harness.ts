/**
 * One bench size: a simulator child in scale mode, then, one at a time so each has a core of its
 * own beside the simulator, the parse limit, the obvious build and the exporter against it.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChildHandle } from './ipc.js';
import { exposition, percentile, round } from './stats.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
export const FILES = {
  sim: join(HERE, 'sim-child.js'),
  parseLimit: join(HERE, 'parse-limit.js'),
  exporter: join(HERE, 'exporter-child.js'),
  obvious: join(HERE, 'obvious', 'main.js'),
};

export const SELECTOR = 'spark-role';
export const PAGE_SIZE = 500;
/** Short, so a turnover's old apps leave the model within the bench (production default: 10m). */
export const RETENTION_MS = 4_000;

export interface Budget {
  /** Milliseconds left of the whole run. */
  left(): number;
}

export interface HarnessOptions {
  readonly dir: string;
  readonly budget: Budget;
  readonly scrapes: number;
  /** Tracks every child so the caller can stop them all, whatever happens. */
  readonly children: Set<ChildHandle>;
  readonly log: (msg: string) => void;
  /** Which measured processes to run (all three by default; fewer while profiling one). */
  readonly consumers: ReadonlySet<'parse-limit' | 'obvious' | 'exporter'>;
}

interface MemoryReply {
  readonly heapUsed: number;
  readonly rss: number;
  readonly pods: number;
  readonly apps?: number;
}

interface BurstReply {
  readonly events: number;
  readonly bytes: number;
  readonly generateMs: number;
  readonly serialiseMs: number;
  readonly readyAt: number;
}

export interface BurstResult {
  readonly events: number;
  readonly seconds: number;
  readonly events_per_second: number;
  /** Largest backlog seen: events the simulator had sent that the consumer had not yet counted. */
  readonly max_lag_events: number;
  readonly bytes: number;
}

export interface Baseline {
  readonly exporterHeap: number;
  readonly obviousHeap: number | null;
}

/** Client errors carry headers and bodies over several lines: the JSON wants one short line. */
function oneLine(s: string): string {
  const status = /"message\\?":\\?"([^"\\]+)/.exec(s)?.[1];
  const head = s.split('\n')[0] ?? s;
  return `${head}${status ? `: ${status}` : ''}`.slice(0, 300);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function spawn(opts: HarnessOptions, name: string, file: string, heapMiB: number, extraArgv: string[] = []): ChildHandle {
  const c = ChildHandle.start(name, file, ['--expose-gc', `--max-old-space-size=${heapMiB}`, ...extraArgv]);
  opts.children.add(c);
  void c.exited.then(() => opts.children.delete(c));
  return c;
}

async function stop(opts: HarnessOptions, c: ChildHandle | undefined): Promise<void> {
  if (!c) return;
  await c.call('stop', {}, 10_000).catch(() => undefined);
  await c.stop();
  opts.children.delete(c);
}

/** Waits for a child's own measure of start → ready, or gives up with the reason it reported. */
async function awaitReady(c: ChildHandle, timeoutMs: number, giveUpAfterErrorMs = Infinity): Promise<{ readyMs: number } | { error: string }> {
  const deadline = Date.now() + timeoutMs;
  let firstErrorAt: number | undefined;
  for (;;) {
    const r = await c.call<{ readyMs: number | null; error?: string | null }>('ready', {}, 30_000);
    if (r.readyMs !== null) return { readyMs: r.readyMs };
    if (r.error) firstErrorAt ??= Date.now();
    if (firstErrorAt !== undefined && Date.now() - firstErrorAt > giveUpAfterErrorMs) return { error: oneLine(r.error ?? 'error') };
    if (Date.now() > deadline) return { error: `not ready within ${Math.round(timeoutMs / 1000)} s${r.error ? ` (last error: ${r.error})` : ''}` };
    await sleep(50);
  }
}

/**
 * A burst of pre-serialised events replayed to the consumer's resumed watch; the rate is what the
 * consumer counted (for the exporter, spark_k8s_exporter_watch_events_total) over the time from
 * the events being available to the last one counted.
 */
async function burst(sim: ChildHandle, consumer: ChildHandle, events: number, timeoutMs: number): Promise<BurstResult> {
  const before = (await consumer.call<{ events: number }>('events')).events;
  const b = await sim.call<BurstReply>('burst', { events }, 120_000);
  const target = before + b.events;
  let maxLag = 0;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = (await consumer.call<{ events: number }>('events')).events;
    maxLag = Math.max(maxLag, target - n);
    if (n >= target) break;
    if (Date.now() > deadline) throw new Error(`consumer counted ${n - before} of ${b.events} burst events within ${timeoutMs / 1000} s`);
    await sleep(20);
  }
  const seconds = (Date.now() - b.readyAt) / 1000;
  return { events: b.events, seconds: round(seconds), events_per_second: Math.round(b.events / seconds), max_lag_events: maxLag, bytes: b.bytes };
}

async function scrape(url: string): Promise<{ ms: number; body: string }> {
  const t = performance.now();
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(30_000) });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return { ms: performance.now() - t, body };
}

/** A scrape a second while the simulator churns live at a modest rate. */
async function scrapeLatency(sim: ChildHandle, url: string, scrapes: number): Promise<{ p50: number; p99: number; samples: number[]; series: number; bodyBytes: number }> {
  const drive = sim.call('drive', { perSecond: 50, seconds: scrapes }, (scrapes + 60) * 1000).catch(() => undefined);
  const samples: number[] = [];
  let last = { series: 0, bodyBytes: 0 };
  const start = Date.now();
  for (let i = 0; i < scrapes; i++) {
    const s = await scrape(url);
    samples.push(s.ms);
    last = exposition(s.body);
    const next = start + (i + 1) * 1000;
    if (next > Date.now()) await sleep(next - Date.now());
  }
  await drive;
  return { p50: round(percentile(samples, 50), 1), p99: round(percentile(samples, 99), 1), samples: samples.map((s) => round(s, 1)), ...last };
}

function burstSize(pods: number): number {
  // Bounded so one replay stays well under the ~300 MB a socket write may queue (see turnover).
  return Math.min(25_000, Math.max(5_000, Math.round(pods / 3)));
}

/**
 * One turnover of every app, fed in slices no faster than the exporter absorbs them (at most
 * ~4,000 events ahead), then the retention waited out until exactly the new apps remain.
 */
async function turnover(opts: HarnessOptions, sim: ChildHandle, ex: ChildHandle, url: string, pods: number, roundNo: number): Promise<Record<string, unknown>> {
  const events = async (): Promise<{ events: number; apps: number; pods: number }> => ex.call('events');
  const base = (await events()).events;
  const t0 = Date.now();
  let sent = 0;
  let apps = 0;
  const deadline = Date.now() + Math.min(400_000, opts.budget.left());
  for (;;) {
    const t = await sim.call<{ apps: number; events: number; remaining: number }>('turnover', { apps: 20, round: roundNo }, 120_000);
    sent += t.events;
    apps += t.apps;
    let last = -1;
    let progressAt = Date.now();
    for (;;) {
      const got = (await events()).events - base;
      if (got >= sent - (t.remaining > 0 ? 2_000 : 0)) break;
      if (got !== last) {
        last = got;
        progressAt = Date.now();
      }
      // A watch cut short (and relisted) never delivers the rest: fail fast, not at the deadline.
      if (Date.now() > deadline || Date.now() - progressAt > 15_000) throw new Error(`turnover ${roundNo}: exporter counted ${got} of ${sent} events (stalled or out of time)`);
      await sleep(20);
    }
    if (t.remaining === 0) break;
  }
  const absorbedS = (Date.now() - t0) / 1000;
  const liveTarget = Math.max(1, Math.round(pods / 50));
  const settle = Date.now() + RETENTION_MS + 30_000;
  let e = await events();
  while (e.apps !== liveTarget && Date.now() < settle) {
    await sleep(250);
    e = await events();
  }
  const m = await ex.call<MemoryReply>('memory');
  const x = exposition((await scrape(url)).body);
  return { round: roundNo, apps_replaced: apps, events: sent, absorbed_seconds: round(absorbedS, 1), events_per_second: Math.round(sent / absorbedS), live_apps: m.apps, pods: m.pods, heap_bytes: m.heapUsed, rss_bytes: m.rss, series: x.series };
}

/** Heaps of each consumer against an empty cluster: what a per-pod figure is measured above. */
export async function measureBaseline(opts: HarnessOptions): Promise<Baseline> {
  const kubeconfig = join(opts.dir, 'kubeconfig-empty');
  const sim = spawn(opts, 'sim(empty)', FILES.sim, 1024);
  try {
    await sim.call('start', { scenario: 'empty', pods: 0, apps: 0, kubeconfig, seed: 1 }, 60_000);
    const ex = spawn(opts, 'exporter(empty)', FILES.exporter, 1024);
    await ex.call('start', { kubeconfig, retentionMs: RETENTION_MS, pageSize: PAGE_SIZE });
    const r = await awaitReady(ex, 30_000);
    if ('error' in r) throw new Error(`exporter baseline: ${r.error}`);
    await sleep(500);
    const exporterHeap = (await ex.call<MemoryReply>('memory')).heapUsed;
    await stop(opts, ex);
    const ob = spawn(opts, 'obvious(empty)', FILES.obvious, 1024);
    await ob.call('start', { kubeconfig });
    const o = await awaitReady(ob, 30_000);
    const obviousHeap = 'error' in o ? null : (await ob.call<MemoryReply>('memory')).heapUsed;
    await stop(opts, ob);
    return { exporterHeap, obviousHeap };
  } finally {
    await stop(opts, sim);
  }
}

export interface SizeResult {
  [k: string]: unknown;
}

export async function runSize(opts: HarnessOptions, pods: number, baseline: Baseline): Promise<SizeResult> {
  const apps = Math.max(1, Math.round(pods / 50));
  const kubeconfig = join(opts.dir, `kubeconfig-${pods}`);
  const out: SizeResult = { pods, apps };
  const notes: string[] = [];
  const sim = spawn(opts, `sim(${pods})`, FILES.sim, 12_288);
  try {
    opts.log(`${pods} pods: building the simulated cluster`);
    const started = await sim.call<{ url: string; buildMs: number; pods: number }>('start', { scenario: 'scale', pods, apps, kubeconfig, seed: 7 }, 180_000);
    const url = started.url;
    out['sim_build_seconds'] = round(started.buildMs / 1000, 1);
    const events = burstSize(pods);

    // --- the parse limit -------------------------------------------------------------------
    if (opts.consumers.has('parse-limit')) await parseLimit(opts, out, notes, sim, url, pods, events);
    if (opts.consumers.has('obvious')) await obviousBuild(opts, out, sim, kubeconfig, pods, events, baseline);
    if (opts.consumers.has('exporter')) await exporterRun(opts, out, notes, sim, kubeconfig, pods, apps, events, baseline);
  } finally {
    await sim.call('close', {}, 10_000).catch(() => undefined);
    await sim.stop();
    opts.children.delete(sim);
  }
  if (notes.length) out['notes'] = notes;
  return out;
}

async function parseLimit(opts: HarnessOptions, out: SizeResult, notes: string[], sim: ChildHandle, url: string, pods: number, events: number): Promise<void> {
  opts.log(`${pods} pods: parse limit`);
  const pl = spawn(opts, 'parse-limit', FILES.parseLimit, 4096);
  try {
    const list = await pl.call<{ ms: number; items: number; bytes: number; pages: number }>('list', { server: url, selector: SELECTOR, pageSize: PAGE_SIZE }, 300_000);
    if (list.items !== pods) notes.push(`parse limit listed ${list.items} pods, expected ${pods}`);
    out['parse_limit_sync_seconds'] = round(list.ms / 1000);
    out['list_bytes'] = list.bytes;
    out['list_pages'] = list.pages;
    await pl.call('watch', { server: url, selector: SELECTOR });
    await sleep(300);
    const b = await burst(sim, pl, events, 120_000);
    out['parse_limit_events_per_second'] = b.events_per_second;
    out['parse_limit_burst'] = b;
  } finally {
    await stop(opts, pl);
  }
}

async function obviousBuild(opts: HarnessOptions, out: SizeResult, sim: ChildHandle, kubeconfig: string, pods: number, events: number, baseline: Baseline): Promise<void> {
  opts.log(`${pods} pods: obvious build (client-node informer + prom-client)`);
  const ob = spawn(opts, 'obvious', FILES.obvious, 12_288);
  try {
    const { url: obUrl } = await ob.call<{ url: string }>('start', { kubeconfig }, 60_000);
    const limit = Math.min(240_000, Math.max(30_000, opts.budget.left() - 240_000));
    const r = await awaitReady(ob, limit, 10_000);
    if ('error' in r) {
      out['obvious'] = { ok: false, reason: r.error };
    } else {
      out['obvious_sync_seconds'] = round(r.readyMs / 1000);
      await sleep(300);
      const m = await ob.call<MemoryReply>('memory', {}, 120_000);
      out['obvious_heap_bytes_per_pod'] = baseline.obviousHeap === null ? null : Math.round((m.heapUsed - baseline.obviousHeap) / Math.max(1, m.pods));
      out['obvious_rss_bytes'] = m.rss;
      const b = await burst(sim, ob, events, 180_000);
      out['obvious_events_per_second'] = b.events_per_second;
      const s = await scrape(obUrl);
      out['obvious_metrics_ms'] = round(s.ms, 1);
      out['obvious_series'] = exposition(s.body).series;
      out['obvious'] = { ok: true };
    }
  } catch (e) {
    out['obvious'] = { ok: false, reason: (e as Error).message.split('\n')[0] };
  } finally {
    await stop(opts, ob);
  }
}

async function exporterRun(opts: HarnessOptions, out: SizeResult, notes: string[], sim: ChildHandle, kubeconfig: string, pods: number, apps: number, events: number, baseline: Baseline): Promise<void> {
  opts.log(`${pods} pods: exporter`);
  const ex = spawn(opts, 'exporter', FILES.exporter, 4096, process.env['BENCH_CPU_PROF'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_CPU_PROF']}`] : []);
  try {
    const { url: exUrl } = await ex.call<{ url: string }>('start', { kubeconfig, retentionMs: RETENTION_MS, pageSize: PAGE_SIZE });
    const r = await awaitReady(ex, 300_000);
    if ('error' in r) throw new Error(`exporter: ${r.error}`);
    out['sync_seconds'] = round(r.readyMs / 1000);
    await sleep(300);
    const m = await ex.call<MemoryReply>('memory');
    if (m.pods !== pods) notes.push(`exporter tracks ${m.pods} pods, expected ${pods}`);
    out['heap_bytes_per_pod'] = Math.round((m.heapUsed - baseline.exporterHeap) / Math.max(1, m.pods));
    out['heap_bytes'] = m.heapUsed;
    out['rss_bytes'] = m.rss;
    out['live_apps'] = m.apps;

    opts.log(`${pods} pods: exporter event burst (${events})`);
    const b = await burst(sim, ex, events, 180_000);
    out['events_per_second'] = b.events_per_second;
    out['burst'] = b;

    opts.log(`${pods} pods: ${opts.scrapes} scrapes, one a second`);
    const lat = await scrapeLatency(sim, exUrl, opts.scrapes);
    out['series'] = lat.series;
    out['body_bytes'] = lat.bodyBytes;
    out['metrics_p50_ms'] = lat.p50;
    out['metrics_p99_ms'] = lat.p99;
    out['metrics_samples_ms'] = lat.samples;
    const afterScrapes = await ex.call<MemoryReply>('memory');

    // Two full turnovers: the first brings every kind of series (driver startups and the
    // like) into being, so flatness is judged between the first and the second.
    const rounds: Array<Record<string, unknown>> = [];
    for (let round = 1; round <= 2; round++) {
      if (opts.budget.left() < 90_000) {
        notes.push(`turnover round ${round} skipped: time budget`);
        break;
      }
      opts.log(`${pods} pods: turnover ${round} of all ${apps} apps`);
      try {
        rounds.push(await turnover(opts, sim, ex, exUrl, pods, round));
      } catch (e) {
        // Keep every figure already taken; say why the turnover has none.
        notes.push((e as Error).message.split('\n')[0] ?? 'turnover failed');
        break;
      }
    }
    const [first, second] = rounds;
    out['after_turnover'] = {
      ...second ?? first,
      rounds,
      heap_change_ratio: first && second ? round(Number(second['heap_bytes']) / Number(first['heap_bytes']), 3) : null,
      series_change_ratio: first && second ? round(Number(second['series']) / Number(first['series']), 3) : null,
      heap_vs_before_ratio: first ? round(Number(first['heap_bytes']) / afterScrapes.heapUsed, 3) : null,
    };
  } finally {
    await stop(opts, ex);
  }
}
