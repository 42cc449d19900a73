/**
 * The `serve` command's flags: the exporter's whole configuration surface and the one table of its
 * defaults (serve-defaults.ts reads them from here). flagTable() keeps each flag's name, type and
 * default literal, so the parsed values are typed per flag.
 */
import { flagTable } from './flags.js';

export const SERVE_FLAGS = flagTable([
  { name: 'kubeconfig', type: 'string', help: 'Path to a kubeconfig; without it KUBECONFIG, then the in-cluster service account, then ~/.kube/config', env: ['KUBECONFIG'] },
  { name: 'context', type: 'string', help: 'kubeconfig context to use instead of the current one' },
  { name: 'host', type: 'string', default: '0.0.0.0', help: 'Address to serve /metrics, /healthz and /readyz on' },
  { name: 'port', type: 'int', default: '8080', help: 'Port to serve on (0 picks a free one)' },
  { name: 'namespaces', type: 'list', default: '', help: 'Comma-separated namespaces to watch; empty watches all' },
  { name: 'team-label', type: 'string', default: 'team', help: 'Pod label naming the owning team; namespaces\' label of the same key is the fallback' },
  { name: 'log-level', type: 'enum', default: 'info', values: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'], help: 'Log level' },
  { name: 'log-format', type: 'enum', default: 'auto', values: ['auto', 'json', 'pretty'], help: 'Log format; auto is pretty in a terminal, JSON otherwise' },
  { name: 'churn-window', type: 'duration', default: '5m', help: 'Sliding window of spark_k8s_executor_churn_per_minute' },
  { name: 'retention', type: 'duration', default: '10m', help: 'How long an application\'s series outlive its last pod' },
  { name: 'watch-idle-timeout', type: 'duration', default: '5m', help: 'Restart a watch that has sent neither event nor bookmark for this long' },
  { name: 'audit-interval', type: 'duration', default: '10m', help: 'Relist everything this often and correct (and count) drift; 0 disables' },
  { name: 'executor-id-grace', type: 'duration', default: '30s', help: 'How long a missing executor id may still show up before it counts as skipped (a quota-rejected create)' },
  { name: 'page-size', type: 'int', default: '500', help: 'Objects per list page' },
  { name: 'shard', type: 'int', help: 'This exporter\'s shard (0-based); default: the ordinal ending POD_NAME when --total-shards > 1, else 0' },
  { name: 'total-shards', type: 'int', default: '1', help: 'Number of shards namespaces are split across' },
  { name: 'label-value-max-length', type: 'int', default: '128', help: 'Longer label values are truncated (bounded series size)' },
  { name: 'tls-cert-file', type: 'string', help: 'Serve HTTPS with this certificate (PEM)' },
  { name: 'tls-key-file', type: 'string', help: 'Private key (PEM) for --tls-cert-file' },
  { name: 'auth-token-file', type: 'string', help: 'Require "Authorization: Bearer <token>" on /metrics, the token read from this file' },
  { name: 'process-metrics', type: 'bool', default: 'true', help: 'Also serve Node.js process metrics (process_*, nodejs_*)' },
  { name: 'enable-gzip-encoding', type: 'bool', default: 'false', help: 'Gzip /metrics for scrapers that ask (Accept-Encoding: gzip, as Prometheus does): 10x or more fewer bytes on the network, for CPU spent compressing off the event loop (kube-state-metrics\' flag)' },
  { name: 'pod-info', type: 'bool', default: 'true', help: 'Serve spark_k8s_pod_info (one series per Spark pod), which joins cAdvisor\'s per-pod series to applications for the memory-headroom alerts' },
]);
