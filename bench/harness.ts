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
    if (firstErrorAt !== undefined && Date.now() - firstErrorAt > giveUpAfterErrorMs) return { error: r.error ?? 'error' };
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
  return Math.min(40_000, Math.max(5_000, Math.round(pods / 3)));
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

    // --- the obvious build -----------------------------------------------------------------
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

    // --- the exporter ------------------------------------------------------------------------
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

      if (opts.budget.left() < 60_000) {
        notes.push('turnover skipped: time budget');
      } else {
        opts.log(`${pods} pods: turnover of all ${apps} apps`);
        const before = (await ex.call<{ events: number }>('events')).events;
        const t0 = Date.now();
        const t = await sim.call<{ apps: number; events: number }>('turnover', {}, 300_000);
        const deadline = Date.now() + 300_000;
        while ((await ex.call<{ events: number }>('events')).events < before + t.events) {
          if (Date.now() > deadline) throw new Error('exporter did not absorb the turnover');
          await sleep(100);
        }
        const absorbedS = (Date.now() - t0) / 1000;
        // Old apps leave after the retention (plus a model tick); wait for exactly the new ones.
        const settle = Date.now() + RETENTION_MS + 30_000;
        let e = await ex.call<{ apps: number; pods: number }>('events');
        while (e.apps !== t.apps && Date.now() < settle) {
          await sleep(250);
          e = await ex.call<{ apps: number; pods: number }>('events');
        }
        const after = await ex.call<MemoryReply>('memory');
        const body = (await scrape(exUrl)).body;
        const x = exposition(body);
        out['after_turnover'] = {
          apps_replaced: t.apps,
          events: t.events,
          absorbed_seconds: round(absorbedS, 1),
          live_apps: after.apps,
          pods: after.pods,
          heap_bytes: after.heapUsed,
          rss_bytes: after.rss,
          series: x.series,
          heap_change_ratio: round(after.heapUsed / afterScrapes.heapUsed, 3),
          series_change_ratio: lat.series ? round(x.series / lat.series, 3) : null,
        };
      }
    } finally {
      await stop(opts, ex);
    }
  } finally {
    await sim.call('close', {}, 10_000).catch(() => undefined);
    await sim.stop();
    opts.children.delete(sim);
  }
  if (notes.length) out['notes'] = notes;
  return out;
}
