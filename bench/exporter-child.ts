/**
 * The real exporter (startExporter, exactly what `serve` runs) in a bench child, with an IPC side
 * door for forced GC, memory and its own counters; the production server gains no debug endpoint.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { DEFAULT_CONFIG, startExporter, type RunningExporter } from '../src/exporter.js';
import { makeLogger } from '../src/logger.js';
import { MetricsRenderer } from '../src/metrics/render.js';
import { listen, type RunningHttp } from '../src/server/http.js';
import { gcMemory, serveIpc } from './ipc.js';

let exporter: RunningExporter | undefined;
let startedAt = 0;
let readyMs: number | undefined;
/** The comparison servers of the scrape measurement, beside the exporter's own. */
const extra: RunningHttp[] = [];
let loopDelay: IntervalHistogram | undefined;

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
    const reference = await listen({ host: '127.0.0.1', port: 0 }, { renderer: { renderBytes: () => Promise.resolve(body), release: () => undefined }, ready: () => true, log });
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
   * after): how long a watch event arriving during a scrape waits before it is read.
   */
  loopDelay(a: { action: 'start' | 'resume' | 'pause' | 'stop' }) {
    if (a.action === 'start') {
      loopDelay?.disable();
      loopDelay = monitorEventLoopDelay({ resolution: 1 });
      return {};
    }
    const h = loopDelay;
    if (!h) throw new Error('loop delay not started');
    if (a.action === 'resume') h.enable();
    else h.disable();
    if (a.action !== 'stop') return {};
    loopDelay = undefined;
    return { p50Ms: h.percentile(50) / 1e6, p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6, samples: h.count };
  },

  async stop() {
    await Promise.all(extra.splice(0).map((h) => h.close()));
    await exporter?.stop();
    exporter = undefined;
    return {};
  },
});
