/** `serve`: flags → config → a running exporter, with graceful shutdown on SIGTERM/SIGINT. */
import { accessSync, constants } from 'node:fs';
import { startExporter, type ExporterConfig } from '../exporter.js';
import { makeLogger } from '../logger.js';
import { ConfigError } from '../source/kube-http.js';
import { helpText, parseFlags, UsageError, type FlagValues } from './flags.js';
import { SERVE_FLAGS } from './serve-flags.js';

const SUMMARY = 'Watch Spark pods, ResourceQuotas and SparkApplications and serve Prometheus metrics.';

export function configFromFlags(v: FlagValues, env: NodeJS.ProcessEnv): ExporterConfig {
  const int = (k: string): number => v[k] as number;
  const opt = (k: string): string | undefined => (v[k] as string | undefined) || undefined;
  const totalShards = int('total-shards');
  if (totalShards < 1) throw new UsageError('--total-shards must be at least 1');
  let shard = v['shard'] as number | undefined;
  if (shard === undefined) {
    // A StatefulSet names its pods <name>-<ordinal>: the ordinal is the shard.
    const m = /-(\d+)$/.exec(env['POD_NAME'] ?? '');
    shard = totalShards > 1 && m ? Number(m[1]) : 0;
  }
  if (shard < 0 || shard >= totalShards) throw new UsageError(`--shard ${shard} is outside 0..${totalShards - 1} (--total-shards ${totalShards})`);
  const port = int('port');
  if (port < 0 || port > 65535) throw new UsageError(`--port ${port} is not a port`);
  if (int('page-size') < 1) throw new UsageError('--page-size must be at least 1');
  if (int('label-value-max-length') < 8) throw new UsageError('--label-value-max-length must be at least 8');
  if ((v['churn-window'] as number) <= 0) throw new UsageError('--churn-window must be positive');
  if ((v['watch-idle-timeout'] as number) < 1000) throw new UsageError('--watch-idle-timeout must be at least 1s');
  const tlsCert = opt('tls-cert-file');
  const tlsKey = opt('tls-key-file');
  if (Boolean(tlsCert) !== Boolean(tlsKey)) throw new UsageError('--tls-cert-file and --tls-key-file go together');
  for (const k of ['tls-cert-file', 'tls-key-file', 'auth-token-file']) {
    const f = opt(k);
    if (!f) continue;
    try {
      accessSync(f, constants.R_OK);
    } catch {
      throw new UsageError(`--${k} ${f} is not a readable file`);
    }
  }
  return {
    kubeconfig: opt('kubeconfig'),
    context: opt('context'),
    host: v['host'] as string,
    port,
    namespaces: v['namespaces'] as string[],
    teamLabel: v['team-label'] as string,
    churnWindowMs: v['churn-window'] as number,
    retentionMs: v['retention'] as number,
    watchIdleTimeoutMs: v['watch-idle-timeout'] as number,
    auditIntervalMs: v['audit-interval'] as number,
    pageSize: int('page-size'),
    gapGraceMs: v['executor-id-grace'] as number,
    shard,
    totalShards,
    labelValueMaxLength: int('label-value-max-length'),
    tlsCertFile: tlsCert,
    tlsKeyFile: tlsKey,
    authTokenFile: opt('auth-token-file'),
    processMetrics: v['process-metrics'] as boolean,
  };
}

export async function runServe(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let cfg: ExporterConfig;
  let logLevel: string;
  let logFormat: 'auto' | 'json' | 'pretty';
  try {
    const parsed = parseFlags(SERVE_FLAGS, argv, env);
    if (parsed.help) {
      process.stdout.write(`${helpText('serve', SUMMARY, SERVE_FLAGS)}\n`);
      return 0;
    }
    if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument "${parsed.positionals[0]}"`);
    cfg = configFromFlags(parsed.values, env);
    logLevel = parsed.values['log-level'] as string;
    logFormat = parsed.values['log-format'] as 'auto' | 'json' | 'pretty';
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
