/**
 * The one configuration the whole observability bundle is generated from (the kubernetes-mixin
 * `_config` idea): selectors, label names, thresholds, windows, per-alert overrides, runbook base
 * and dashboard settings. Dashboards, alerts, recording rules, monitors and the chart's threshold
 * map all read it, so tuning a value here changes every artefact consistently. It stays plain JSON
 * so that a jsonnet mixin can mirror it as `_config`.
 */

import { ALERT_NAMES, isAlertName, type AlertName } from './alerts/index.js';
import { SEVERITIES, type Severity } from './alerts/spec.js';

export type { AlertName, Severity };

/**
 * Changes to one shipped alert; anything unset keeps the alert's own default (in its area file
 * under src/bundle/alerts).
 */
export interface AlertOverride {
  for?: string;
  severity?: Severity;
  /** Leaves the alert out of every rules file. */
  disabled?: boolean;
}

export interface Thresholds {
  /** Quota saturation that warns (the 85% users are told to alert at). */
  quotaNearlyFullRatio: number;
  /** Seconds the oldest pending executor may wait before it counts as stuck. */
  executorPendingAgeSeconds: number;
  /** Average executor lifetime under which executors churn (the "under 5 minutes" advice). */
  executorLifetimeChurnSeconds: number;
  /** Executors that must have ended in the churn window before the average means anything. */
  churnMinExits: number;
  /** (memory request − heap) / heap under which OOMKills are likely (the "20% overhead" advice). */
  memoryOverheadMinRatio: number;
  /** How far ahead the quota forecast looks, in seconds. */
  quotaForecastHorizonSeconds: number;
  /** Seconds without any watch event or bookmark before a watch counts as stalled. */
  watchStalledSeconds: number;
  /** Seconds a ScheduledSparkApplication's next run may be overdue before it counts as missed. */
  scheduledRunGraceSeconds: number;
  /** Schedule periods (next run − last run) without a successful run before the schedule counts as failing to deliver. */
  scheduledRunSuccessPeriods: number;
  /** Working set / memory limit above which a Spark container is close to being OOMKilled. */
  memoryNearLimitRatio: number;
  /** spark.dynamicAllocation.executorIdleTimeout (seconds) under which executor churn is blamed on it. */
  executorIdleTimeoutMinSeconds: number;
  /** Executor startup p90 (seconds) above which minExecutors 0 makes every scale-up a cold start. */
  coldStartSeconds: number;
}

/**
 * Values the bundle recommends rather than alerts on (they appear in recording rules and
 * descriptions, not as alert thresholds).
 */
export interface Advice {
  /** Headroom added to the highest executor working set when recommending memoryOverhead (0.1 = 10%). */
  memoryOverheadMargin: number;
  /** Spark's floor for memoryOverhead in MiB (384; spark.executor.minMemoryOverhead in Spark 4). */
  memoryOverheadMinMiB: number;
  /** executorIdleTimeout (seconds) recommended when executors churn (the "60s to 300s" advice). */
  executorIdleTimeoutSeconds: number;
}

export interface Windows {
  /** Window for "did this event happen recently" counters (OOMKills, failures, rejections). */
  events: string;
  /** Window for the executor lifetime average and exit count. */
  churn: string;
  /** History the quota forecast extrapolates from. */
  forecast: string;
  /** History of working sets the memory peak and the memoryOverhead recommendation look back over. */
  memory: string;
  /** Window of executor startups the startup p90 (cold-start advice) is taken over. */
  startup: string;
}

export interface DashboardSettings {
  titlePrefix: string;
  uidPrefix: string;
  tags: string[];
  refresh: string;
  timezone: string;
  /** Default time range start, e.g. `now-6h`. */
  from: string;
}

export interface ServiceMonitorSettings {
  /** Labels put on the generated monitors so a Prometheus' selector picks them up. */
  labels: Record<string, string>;
  interval: string;
  /** Labels of the exporter's Service that the exporter ServiceMonitor selects. */
  exporterServiceSelector: Record<string, string>;
  exporterPortName: string;
  /** Port of the Spark driver Service serving the UI, PrometheusResource and PrometheusServlet (Spark names it `spark-ui`). */
  driverUiPortName: string;
  /**
   * Container port of the executors' JMX exporter agent: executors serve no metrics of their own;
   * the kubeflow spark-operator's `monitoring` block adds this port (`jmx-exporter`, 8090).
   */
  executorMetricsPortName: string;
  executorMetricsPath: string;
}

export interface BundleConfig {
  /** PromQL matcher(s) selecting the exporter's own scrape job. */
  exporterSelector: string;
  /** Extra matcher(s) for Spark's own metrics (PrometheusServlet); empty means any job. */
  sparkMetricsSelector: string;
  /**
   * Matcher(s) selecting cAdvisor's series as the kubelet serves them (kube-prometheus-stack:
   * `job="kubelet", metrics_path="/metrics/cadvisor"`). The rules add the container filters
   * (`container!="", container!="POD", image!=""`) that drop cAdvisor's pod-level and pause series.
   */
  cadvisorSelector: string;
  /**
   * Matcher(s) selecting kube-state-metrics, for `kube_pod_container_resource_limits`: the memory
   * limit where cAdvisor's `container_spec_memory_limit_bytes` is dropped, as kube-prometheus-stack
   * does by default.
   */
  kubeStateMetricsSelector: string;
  /** Labels that differ between HA replicas of the exporter; removed before aggregating. */
  haLabels: string[];
  clusterLabel: string;
  /** When false the cluster variable is hidden and no query filters on it. */
  showMultiCluster: boolean;
  namespaceLabel: string;
  teamLabel: string;
  runbookBaseUrl: string;
  thresholds: Thresholds;
  /**
   * Seconds a SparkApplication may stay in a non-terminal state before SparkApplicationStuck,
   * per state as its operator spells it (kubeflow's UPPER_CASE, Apache's CamelCase); 0 or an
   * absent state is never stuck (RUNNING, RunningHealthy, SUSPENDED are where applications live).
   * The jsonnet mixin and the chart tune the number of each state listed here; which states are
   * alerted on is decided when the bundle is generated.
   */
  applicationStuckSeconds: Record<string, number>;
  advice: Advice;
  windows: Windows;
  /** Per alert name, e.g. `{ SparkExecutorOOMKilled: { for: '2m', severity: 'critical' } }`. */
  alerts: Partial<Record<AlertName, AlertOverride>>;
  /** Rule group evaluation interval; empty means Prometheus' global interval. */
  ruleInterval: string;
  dashboards: DashboardSettings;
  monitors: ServiceMonitorSettings;
  /** Name and namespace of the PrometheusRule object. */
  prometheusRule: { name: string; namespace: string; labels: Record<string, string> };
}

export const DEFAULT_BUNDLE_CONFIG: BundleConfig = {
  exporterSelector: 'job="spark-k8s-exporter"',
  sparkMetricsSelector: '',
  cadvisorSelector: 'job="kubelet", metrics_path="/metrics/cadvisor"',
  kubeStateMetricsSelector: 'job="kube-state-metrics"',
  haLabels: ['instance', 'pod'],
  clusterLabel: 'cluster',
  showMultiCluster: false,
  namespaceLabel: 'namespace',
  teamLabel: 'team',
  runbookBaseUrl: 'https://github.com/spark-k8s-exporter/spark-k8s-exporter/blob/main/docs/runbooks/',
  thresholds: {
    quotaNearlyFullRatio: 0.85,
    executorPendingAgeSeconds: 300,
    executorLifetimeChurnSeconds: 300,
    churnMinExits: 5,
    memoryOverheadMinRatio: 0.2,
    quotaForecastHorizonSeconds: 14400,
    watchStalledSeconds: 900,
    memoryNearLimitRatio: 0.9,
    executorIdleTimeoutMinSeconds: 120,
    coldStartSeconds: 30,
    scheduledRunGraceSeconds: 900,
    scheduledRunSuccessPeriods: 2,
  },
  applicationStuckSeconds: {
    // kubeflow spark-operator
    NEW: 600,
    SUBMITTED: 600,
    PENDING_RERUN: 1800,
    INVALIDATING: 600,
    SUCCEEDING: 600,
    FAILING: 600,
    UNKNOWN: 600,
    SUSPENDING: 600,
    RESUMING: 600,
    // Apache spark-kubernetes-operator: its own timeouts (5m by default) end the starting states,
    // and a stopping state is released within seconds; lingering means the operator is not acting.
    Submitted: 600,
    ScheduledToRestart: 1800,
    DriverRequested: 600,
    DriverStarted: 600,
    DriverReady: 600,
    DriverStartTimedOut: 600,
    ExecutorsStartTimedOut: 600,
    DriverReadyTimedOut: 600,
    Succeeded: 600,
    Failed: 600,
    SchedulingFailure: 600,
    DriverEvicted: 600,
  },
  advice: { memoryOverheadMargin: 0.1, memoryOverheadMinMiB: 384, executorIdleTimeoutSeconds: 300 },
  windows: { events: '10m', churn: '15m', forecast: '1h', memory: '6h', startup: '1h' },
  alerts: {},
  ruleInterval: '',
  dashboards: {
    titlePrefix: 'Spark on Kubernetes / ',
    uidPrefix: 'spark-k8s-',
    tags: ['spark', 'spark-k8s-exporter', 'kubernetes'],
    refresh: '30s',
    timezone: 'utc',
    from: 'now-3h',
  },
  monitors: {
    labels: { 'app.kubernetes.io/part-of': 'spark-k8s-exporter' },
    interval: '30s',
    exporterServiceSelector: { 'app.kubernetes.io/name': 'spark-k8s-exporter' },
    exporterPortName: 'http',
    driverUiPortName: 'spark-ui',
    executorMetricsPortName: 'jmx-exporter',
    executorMetricsPath: '/metrics',
  },
  prometheusRule: {
    name: 'spark-k8s-exporter',
    namespace: 'monitoring',
    labels: { 'app.kubernetes.io/part-of': 'spark-k8s-exporter', role: 'alert-rules' },
  },
};

const MATCHERS = /^[a-zA-Z_][a-zA-Z0-9_]*\s*(=|=~|!=|!~)\s*".*"(\s*,\s*[a-zA-Z_][a-zA-Z0-9_]*\s*(=|=~|!=|!~)\s*".*")*$/;
const DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep-merges a user's partial override (parsed JSON, so `unknown`) onto the defaults. Every key
 * must exist in the defaults with the same JSON type: a typo would otherwise be silently ignored
 * and the user would ship the default they meant to change.
 */
export function mergeConfig(override: unknown, base: BundleConfig = DEFAULT_BUNDLE_CONFIG): BundleConfig {
  const merged = mergeValue(base, override, 'config');
  const cfg = merged as BundleConfig;
  validateConfig(cfg);
  return cfg;
}

function mergeValue(base: unknown, over: unknown, path: string): unknown {
  if (over === undefined) return structuredClone(base);
  if (path === 'config.alerts') return mergeAlertOverrides(base, over, path);
  if (path === 'config.applicationStuckSeconds') return mergeStateThresholds(base, over, path);
  if (isRecord(base)) {
    if (!isRecord(over)) throw new Error(`${path}: expected an object`);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(base)) out[key] = mergeValue(base[key], over[key], `${path}.${key}`);
    for (const key of Object.keys(over)) {
      if (!(key in base)) {
        // Label maps are open-ended; everything else is a fixed shape.
        if (isOpenMap(path)) {
          if (typeof over[key] !== 'string') throw new Error(`${path}.${key}: expected a string`);
          out[key] = over[key];
        } else {
          throw new Error(`${path}.${key}: unknown setting`);
        }
      }
    }
    return out;
  }
  if (Array.isArray(base)) {
    if (!Array.isArray(over) || !over.every((x) => typeof x === 'string')) throw new Error(`${path}: expected a list of strings`);
    return [...over];
  }
  if (typeof base !== typeof over) throw new Error(`${path}: expected a ${typeof base}`);
  if (typeof over === 'number' && !Number.isFinite(over)) throw new Error(`${path}: expected a finite number`);
  return over;
}

const OVERRIDE_TYPES: Record<keyof AlertOverride, 'string' | 'boolean'> = { for: 'string', severity: 'string', disabled: 'boolean' };

/** Keyed by alert name, so the keys are checked against the alerts rather than the defaults. */
function mergeAlertOverrides(base: unknown, over: unknown, path: string): Record<string, AlertOverride> {
  if (!isRecord(over)) throw new Error(`${path}: expected an object`);
  const out: Record<string, AlertOverride> = isRecord(base) ? (structuredClone(base) as Record<string, AlertOverride>) : {};
  for (const [name, o] of Object.entries(over)) {
    if (!isAlertName(name)) throw new Error(`${path}.${name}: unknown alert; alerts are: ${ALERT_NAMES.join(', ')}`);
    if (!isRecord(o)) throw new Error(`${path}.${name}: expected an object`);
    const merged: Record<string, unknown> = { ...out[name] };
    for (const [key, value] of Object.entries(o)) {
      // hasOwn, not `in`: "constructor" must be a typo, not Object's inherited property.
      if (!Object.hasOwn(OVERRIDE_TYPES, key)) throw new Error(`${path}.${name}.${key}: unknown setting; settings are: ${Object.keys(OVERRIDE_TYPES).join(', ')}`);
      const want = OVERRIDE_TYPES[key as keyof AlertOverride];
      if (typeof value !== want) throw new Error(`${path}.${name}.${key}: expected a ${want}`);
      merged[key] = value;
    }
    out[name] = merged as AlertOverride;
  }
  return out;
}

/** States are open-ended (an operator may add one): any state name, a number of seconds each. */
function mergeStateThresholds(base: unknown, over: unknown, path: string): Record<string, number> {
  if (!isRecord(over)) throw new Error(`${path}: expected an object`);
  const out: Record<string, number> = isRecord(base) ? (structuredClone(base) as Record<string, number>) : {};
  for (const [state, v] of Object.entries(over)) {
    if (!/^[A-Za-z_]{1,48}$/.test(state)) throw new Error(`${path}.${state}: not a state name`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${path}.${state}: expected a number of seconds >= 0`);
    out[state] = v;
  }
  return out;
}

function isOpenMap(path: string): boolean {
  return /\.(labels|exporterServiceSelector)$/.test(path);
}

export function validateConfig(cfg: BundleConfig): void {
  // Also here, not only in mergeConfig: tests and callers build configs in code.
  for (const [name, o] of Object.entries(cfg.alerts)) {
    if (!isAlertName(name)) throw new Error(`config.alerts.${name}: unknown alert; alerts are: ${ALERT_NAMES.join(', ')}`);
    if (o === undefined) continue;
    if (o.for !== undefined && !DURATION.test(o.for)) throw new Error(`config.alerts.${name}.for: "${o.for}" is not a Prometheus duration`);
    if (o.severity !== undefined && !(SEVERITIES as readonly string[]).includes(o.severity)) {
      throw new Error(`config.alerts.${name}.severity: "${o.severity}" must be ${SEVERITIES.join(', ')}`);
    }
  }
  for (const [k, v] of Object.entries(cfg.windows)) {
    if (!DURATION.test(v)) throw new Error(`config.windows.${k}: "${v}" is not a Prometheus duration`);
  }
  if (cfg.ruleInterval !== '' && !DURATION.test(cfg.ruleInterval)) throw new Error('config.ruleInterval: not a duration');
  const t = cfg.thresholds;
  if (!(t.quotaNearlyFullRatio > 0 && t.quotaNearlyFullRatio < 1)) throw new Error('config.thresholds.quotaNearlyFullRatio: must be in (0, 1)');
  for (const [k, v] of Object.entries(t)) {
    if (!(v >= 0)) throw new Error(`config.thresholds.${k}: must be >= 0`);
  }
  for (const [state, v] of Object.entries(cfg.applicationStuckSeconds)) {
    if (!/^[A-Za-z_]{1,48}$/.test(state) || !(v >= 0)) throw new Error(`config.applicationStuckSeconds.${state}: a state name and seconds >= 0`);
  }
  if (!(t.memoryNearLimitRatio > 0 && t.memoryNearLimitRatio <= 1)) throw new Error('config.thresholds.memoryNearLimitRatio: must be in (0, 1]');
  for (const [k, v] of Object.entries(cfg.advice)) {
    if (!(v >= 0)) throw new Error(`config.advice.${k}: must be >= 0`);
  }
  if (!Number.isInteger(cfg.advice.memoryOverheadMinMiB)) throw new Error('config.advice.memoryOverheadMinMiB: must be a whole number of MiB');
  if (!/^[a-z0-9-]*$/.test(cfg.dashboards.uidPrefix)) throw new Error('config.dashboards.uidPrefix: lower-case letters, digits and dashes only');
  for (const key of ['exporterSelector', 'cadvisorSelector', 'kubeStateMetricsSelector'] as const) {
    if (!MATCHERS.test(cfg[key])) throw new Error(`config.${key}: "${cfg[key]}" is not a list of label matchers`);
  }
}
