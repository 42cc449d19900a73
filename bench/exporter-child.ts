/**
 * The real exporter (startExporter, exactly what `serve` runs) in a bench child, with an IPC side
 * door for forced GC, memory and its own counters; the production server gains no debug endpoint.
 */
import { DEFAULT_CONFIG, startExporter, type RunningExporter } from '../src/exporter.js';
import { makeLogger } from '../src/logger.js';
import { MetricsRenderer } from '../src/metrics/render.js';
import { streamWhole } from '../src/metrics/body-sink.js';
import { listen, type RunningHttp } from '../src/server/http.js';
import { gcMemory, serveIpc } from './ipc.js';

let exporter: RunningExporter | undefined;
let startedAt = 0;
let readyMs: number | undefined;
/** The comparison servers of the scrape measurement, beside the exporter's own. */
const extra: RunningHttp[] = [];

/** Lateness of a 1 ms timer chain, kept per firing, for time-weighted wait percentiles. */
class Lateness {
  private readonly late: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private due = 0;

  start(): void {
    if (this.timer) return;
    const tick = (): void => {
      this.late.push(Math.max(0, performance.now() - this.due));
      this.due = performance.now() + 1;
      this.timer = setTimeout(tick, 1);
    };
    this.due = performance.now() + 1;
    this.timer = setTimeout(tick, 1);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** p50/p99 of the wait of an arrival uniform in time: P(wait > w) = sum(max(0, d - w)) / sum(1 + d). */
  figures(): { p50Ms: number; p99Ms: number; maxMs: number; samples: number } {
    const total = this.late.reduce((t, d) => t + 1 + d, 0);
    const quantile = (q: number): number => {
      let lo = 0;
      let hi = this.late.reduce((m, d) => Math.max(m, d), 0);
      for (let i = 0; i < 50; i++) {
        const w = (lo + hi) / 2;
        const over = this.late.reduce((t, d) => t + Math.max(0, d - w), 0) / Math.max(1, total);
        if (over > 1 - q) lo = w;
        else hi = w;
      }
      return hi;
    };
    return { p50Ms: quantile(0.5), p99Ms: quantile(0.99), maxMs: this.late.reduce((m, d) => Math.max(m, d), 0), samples: this.late.length };
  }
}
let lateness = new Lateness();

function running(): RunningExporter {
  if (!exporter) throw new Error('exporter not started');
  return exporter;
}

/** Pod watch events counted by the exporter (spark_k8s_exporter_watch_events_total), bookmarks aside. */
function podEvents(e: RunningExporter): number {
  let n = 0;
  for (const [k, v] of e.self.watchEvents) if (k.startsWith('pods\u0000') && !k.endsWith('\u0000BOOKMARK')) n += v;
  return n;
}

serveIpc({
  async start(a: { kubeconfig: string; retentionMs: number; pageSize: number }) {
    startedAt = performance.now();
    readyMs = undefined;
    exporter = await startExporter(
      { ...DEFAULT_CONFIG, kubeconfig: a.kubeconfig, host: '127.0.0.1', port: 0, retentionMs: a.retentionMs, pageSize: a.pageSize, auditIntervalMs: 0 },
      makeLogger(process.env['BENCH_EXPORTER_LOG'] ?? 'warn', 'json'),
    );
    const e = exporter;
    const poll = setInterval(() => {
      if (e.self.ready()) {
        readyMs = performance.now() - startedAt;
        clearInterval(poll);
      }
    }, 5);
    return { url: e.url };
  },

  ready() {
    return { readyMs: readyMs ?? null };
  },

  events() {
    const e = running();
    return { events: podEvents(e), pods: e.model.pods.records.size, apps: e.model.pods.apps.size };
  },

  memory() {
    const e = running();
    return { ...gcMemory(), pods: e.model.pods.records.size, apps: e.model.pods.apps.size };
  },

  /**
   * Two more servers in this process, through the same HTTP stack (src/server/http.ts): the
   * physical reference, serving a body pre-rendered now by the exporter (the same bytes, no
   * rendering), and the same model rendered with spark_k8s_pod_info off (what that family costs).
   */
  async servers() {
    const e = running();
    const body = Buffer.from(await e.renderer.renderBytes('prometheus'));
    const log = makeLogger('warn', 'json');
    const cfg = DEFAULT_CONFIG;
    const reference = await listen({ host: '127.0.0.1', port: 0 }, { renderer: { stream: (_format, sink) => streamWhole(body, sink), release: () => undefined }, ready: () => true, log });
    const noPodInfo = new MetricsRenderer(e.model, e.self, { maxLabelLength: cfg.labelValueMaxLength, churnWindowMs: cfg.churnWindowMs, now: () => Date.now(), processMetrics: true, podInfo: false });
    const without = await listen({ host: '127.0.0.1', port: 0 }, { renderer: noPodInfo, ready: () => true, log });
    extra.push(reference, without);
    return { reference: reference.url, withoutPodInfo: without.url, referenceBytes: body.length };
  },

  /** The comparison servers gone (and their renderer's cache with them), before memory is read. */
  async closeServers() {
    await Promise.all(extra.splice(0).map((h) => h.close()));
    return {};
  },

  /**
   * Event-loop delay while the exporter's own scrapes run (resumed just before each, paused just
   * after), as the wait a watch event arriving at a random moment sees before it is read: a
   * 1 ms timer's lateness, weighted by time (a 2 s block is one late timer but 2 s of arrivals;
   * perf_hooks' sample-weighted percentiles would call it one sample in thousands).
   */
  loopDelay(a: { action: 'start' | 'resume' | 'pause' | 'stop' }) {
    if (a.action === 'start') {
      lateness.stop();
      lateness = new Lateness();
      return {};
    }
    if (a.action === 'resume') lateness.start();
    else lateness.stop();
    return a.action === 'stop' ? lateness.figures() : {};
  },

  async stop() {
    await Promise.all(extra.splice(0).map((h) => h.close()));
    await exporter?.stop();
    exporter = undefined;
    return {};
  },
});
