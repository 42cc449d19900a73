/**
 * The real exporter (startExporter, exactly what `serve` runs) in a bench child, with an IPC side
 * door for forced GC, memory and its own counters; the production server gains no debug endpoint.
 */
import { DEFAULT_CONFIG, startExporter, type RunningExporter } from '../src/exporter.js';
import { makeLogger } from '../src/logger.js';
import { gcMemory, serveIpc } from './ipc.js';

let exporter: RunningExporter | undefined;
let startedAt = 0;
let readyMs: number | undefined;

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

  async stop() {
    await exporter?.stop();
    exporter = undefined;
    return {};
  },
});
