/**
 * The exporter assembled: sources (watch streams) → model → renderer → HTTP. Everything a test or
 * the demo needs to run one in-process, and what `serve` runs.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { EXPORTER_DEFAULTS, SERVE_DEFAULTS } from './cli/serve-defaults.js';
import { Model } from './domain/model.js';
import { namespaceOwner } from './domain/shard.js';
import { MetricsRenderer } from './metrics/render.js';
import { SelfStats } from './source/self-stats.js';
import { listen, type RunningHttp } from './server/http.js';
import { KubeHttp, loadKubeConfig } from './source/kube-http.js';
import { LIST_WATCH_PROTOCOL } from './source/list-watch.js';
import { Sources } from './source/sources.js';
import { VERSION } from './version.js';

export interface ExporterConfig {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly namespaces: readonly string[];
  readonly teamLabel: string;
  readonly churnWindowMs: number;
  readonly retentionMs: number;
  readonly watchIdleTimeoutMs: number;
  readonly auditIntervalMs: number;
  readonly pageSize: number;
  readonly shard: number;
  readonly totalShards: number;
  readonly labelValueMaxLength: number;
  readonly tlsCertFile?: string | undefined;
  readonly tlsKeyFile?: string | undefined;
  readonly authTokenFile?: string | undefined;
  readonly processMetrics: boolean;
  /** Serve spark_k8s_pod_info (default: --pod-info's). */
  readonly podInfo?: boolean;
  /** Gzip /metrics for scrapers that accept it (default: --enable-gzip-encoding's). */
  readonly gzip?: boolean;
  /** Server-side watch timeout; shorter in tests to exercise reconnects. */
  readonly watchTimeoutSeconds?: number;
  readonly tickMs?: number;
  /** How long a missing executor id may arrive late before it counts as skipped (default: --executor-id-grace's). */
  readonly gapGraceMs?: number;
}

/** `serve` with no flags: every value from the flag table's defaults. */
export const DEFAULT_CONFIG: ExporterConfig = {
  host: SERVE_DEFAULTS['host'],
  port: SERVE_DEFAULTS['port'],
  namespaces: SERVE_DEFAULTS['namespaces'],
  teamLabel: SERVE_DEFAULTS['team-label'],
  churnWindowMs: EXPORTER_DEFAULTS.churnWindowMs,
  retentionMs: EXPORTER_DEFAULTS.retentionMs,
  watchIdleTimeoutMs: EXPORTER_DEFAULTS.watchIdleTimeoutMs,
  auditIntervalMs: SERVE_DEFAULTS['audit-interval'],
  pageSize: EXPORTER_DEFAULTS.pageSize,
  gapGraceMs: EXPORTER_DEFAULTS.gapGraceMs,
  // No default in the table (it comes from POD_NAME when sharded): unsharded is shard 0.
  shard: SERVE_DEFAULTS['shard'] ?? 0,
  totalShards: SERVE_DEFAULTS['total-shards'],
  labelValueMaxLength: SERVE_DEFAULTS['label-value-max-length'],
  processMetrics: SERVE_DEFAULTS['process-metrics'],
  podInfo: SERVE_DEFAULTS['pod-info'],
  gzip: SERVE_DEFAULTS['enable-gzip-encoding'],
};

export interface RunningExporter {
  readonly url: string;
  readonly model: Model;
  readonly self: SelfStats;
  readonly sources: Sources;
  readonly renderer: MetricsRenderer;
  readonly http: RunningHttp;
  stop(): Promise<void>;
}

export async function startExporter(cfg: ExporterConfig, log: Logger): Promise<RunningExporter> {
  const kc = loadKubeConfig({ kubeconfig: cfg.kubeconfig, context: cfg.context });
  const kube = new KubeHttp(kc);
  const now = (): number => Date.now();
  const self = new SelfStats(VERSION, cfg.shard, cfg.totalShards);
  const rejectLogged = new Set<string>();
  const model = new Model({
    retentionMs: cfg.retentionMs,
    churnWindowMs: cfg.churnWindowMs,
    gapGraceMs: cfg.gapGraceMs ?? EXPORTER_DEFAULTS.gapGraceMs,
    ownsNamespace: namespaceOwner(cfg.shard, cfg.totalShards),
    reject: (reason, detail) => {
      self.reject('pods', reason);
      // Once per kind: a broken labeller would otherwise log on every pod it touches.
      if (rejectLogged.has(reason)) return;
      rejectLogged.add(reason);
      log.warn({ reason, detail }, 'ignoring an executor id no quota rejection can explain (a bad spark-exec-id label?); counted in spark_k8s_exporter_objects_rejected_total');
    },
  });
  const renderer = new MetricsRenderer(model, self, {
    maxLabelLength: cfg.labelValueMaxLength,
    churnWindowMs: cfg.churnWindowMs,
    now,
    processMetrics: cfg.processMetrics,
    podInfo: cfg.podInfo ?? SERVE_DEFAULTS['pod-info'],
  });
  const authToken = cfg.authTokenFile ? readFileSync(cfg.authTokenFile, 'utf8').trim() : undefined;
  const http = await listen(
    { host: cfg.host, port: cfg.port, tlsCertFile: cfg.tlsCertFile, tlsKeyFile: cfg.tlsKeyFile, authToken, gzip: cfg.gzip ?? SERVE_DEFAULTS['enable-gzip-encoding'] },
    { renderer, ready: () => self.ready(), log },
  );
  const sources = new Sources(kube, model, self, log, {
    namespaces: cfg.namespaces,
    teamLabel: cfg.teamLabel,
    now,
    listWatch: {
      ...LIST_WATCH_PROTOCOL,
      pageSize: cfg.pageSize,
      idleTimeoutMs: cfg.watchIdleTimeoutMs,
      watchTimeoutSeconds: cfg.watchTimeoutSeconds ?? LIST_WATCH_PROTOCOL.watchTimeoutSeconds,
    },
  });
  sources.start();
  const tick = setInterval(() => model.tick(now()), cfg.tickMs ?? 2000);
  const audit = cfg.auditIntervalMs > 0 ? setInterval(() => sources.audit(), cfg.auditIntervalMs) : undefined;
  tick.unref();
  audit?.unref();
  log.info({ url: http.url, server: kube.server.origin, namespaces: cfg.namespaces.length ? cfg.namespaces : 'all', shard: cfg.shard, totalShards: cfg.totalShards }, 'spark-k8s-exporter serving');
  return {
    url: http.url,
    model,
    self,
    sources,
    renderer,
    http,
    async stop() {
      clearInterval(tick);
      if (audit) clearInterval(audit);
      await sources.stop();
      await http.close();
    },
  };
}
