/** `serve`: flags → config → a running exporter, with graceful shutdown on SIGTERM/SIGINT. */
import { accessSync, constants } from 'node:fs';
import { startExporter, type ExporterConfig } from '../exporter.js';
import { makeLogger } from '../logger.js';
import { ConfigError } from '../source/kube-http.js';
import { helpText, parseFlags, UsageError, type FlagValues } from './flags.js';
import { SERVE_FLAGS } from './serve-flags.js';

const SUMMARY = 'Watch Spark pods, ResourceQuotas and SparkApplications and serve Prometheus metrics.';

export type ServeFlagValues = FlagValues<typeof SERVE_FLAGS>;

/** An empty path flag (`--tls-cert-file=`, an empty env variable) means unset. */
const path = (v: string | undefined): string | undefined => v || undefined;

export function configFromFlags(v: ServeFlagValues, env: NodeJS.ProcessEnv): ExporterConfig {
  const totalShards = v['total-shards'];
  if (totalShards < 1) throw new UsageError('--total-shards must be at least 1');
  let shard = v['shard'];
  if (shard === undefined) {
    // A StatefulSet names its pods <name>-<ordinal>: the ordinal is the shard.
    const m = /-(\d+)$/.exec(env['POD_NAME'] ?? '');
    shard = totalShards > 1 && m ? Number(m[1]) : 0;
  }
  if (shard < 0 || shard >= totalShards) throw new UsageError(`--shard ${shard} is outside 0..${totalShards - 1} (--total-shards ${totalShards})`);
  const port = v['port'];
  if (port < 0 || port > 65535) throw new UsageError(`--port ${port} is not a port`);
  if (v['page-size'] < 1) throw new UsageError('--page-size must be at least 1');
  if (v['label-value-max-length'] < 8) throw new UsageError('--label-value-max-length must be at least 8');
  if (v['churn-window'] <= 0) throw new UsageError('--churn-window must be positive');
  if (v['watch-idle-timeout'] < 1000) throw new UsageError('--watch-idle-timeout must be at least 1s');
  const tlsCert = path(v['tls-cert-file']);
  const tlsKey = path(v['tls-key-file']);
  const authToken = path(v['auth-token-file']);
  if (Boolean(tlsCert) !== Boolean(tlsKey)) throw new UsageError('--tls-cert-file and --tls-key-file go together');
  for (const [flag, f] of [['tls-cert-file', tlsCert], ['tls-key-file', tlsKey], ['auth-token-file', authToken]] as const) {
    if (!f) continue;
    try {
      accessSync(f, constants.R_OK);
    } catch {
      throw new UsageError(`--${flag} ${f} is not a readable file`);
    }
  }
  return {
    kubeconfig: path(v['kubeconfig']),
    context: path(v['context']),
    host: v['host'],
    port,
    namespaces: v['namespaces'],
    teamLabel: v['team-label'],
    churnWindowMs: v['churn-window'],
    retentionMs: v['retention'],
    watchIdleTimeoutMs: v['watch-idle-timeout'],
    auditIntervalMs: v['audit-interval'],
    pageSize: v['page-size'],
    gapGraceMs: v['executor-id-grace'],
    shard,
    totalShards,
    labelValueMaxLength: v['label-value-max-length'],
    tlsCertFile: tlsCert,
    tlsKeyFile: tlsKey,
    authTokenFile: authToken,
    processMetrics: v['process-metrics'],
    podInfo: v['pod-info'],
    gzip: v['enable-gzip-encoding'],
  };
}

export async function runServe(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let cfg: ExporterConfig;
  let logLevel: ServeFlagValues['log-level'];
  let logFormat: ServeFlagValues['log-format'];
  try {
    const parsed = parseFlags(SERVE_FLAGS, argv, env);
    if (parsed.help) {
      process.stdout.write(`${helpText('serve', SUMMARY, SERVE_FLAGS)}\n`);
      return 0;
    }
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument "${parsed.positionals[0]}"`);
    cfg = configFromFlags(parsed.values, env);
    logLevel = parsed.values['log-level'];
    logFormat = parsed.values['log-format'];
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`spark-k8s-exporter serve: ${e.message}\nRun 'spark-k8s-exporter serve --help' for the flags.\n`);
      return 2;
    }
    throw e;
  }
  const log = makeLogger(logLevel, logFormat);
  let exporter;
  try {
    exporter = await startExporter(cfg, log);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`spark-k8s-exporter: ${e.message}\n`);
      return 1;
    }
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE' || err.code === 'EACCES') {
      process.stderr.write(`spark-k8s-exporter: cannot listen on ${cfg.host}:${cfg.port}: ${err.code} (choose another --port)\n`);
      return 1;
    }
    throw e;
  }
  const running = exporter;
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down: finishing in-flight scrapes');
      const force = setTimeout(() => resolve(0), 10_000);
      force.unref();
      void running.stop().then(() => {
        clearTimeout(force);
        resolve(0);
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
}
