/**
 * Recording and alerting rules, built from the bundle config.
 *
 * Conventions (kubernetes-mixin): every per-app expression first removes the labels that differ
 * between HA exporter replicas (`max without(instance, pod)`) so two replicas never double a value
 * or an alert; quota ratios guard `hard > 0`; recording rules are named `level:metric:operation`;
 * alerts carry `severity`, `summary`, `description` and `runbook_url`. Exporter self-health alerts
 * deliberately keep `instance`: a stalled replica is a real, separate problem.
 */
import type { AlertName, BundleConfig, Severity, Thresholds } from './config.js';
import { dedup, sel } from './promql.js';

export interface RecordingRule {
  record: string;
  expr: string;
}

export interface AlertRule {
  alert: AlertName;
  expr: string;
  for: string;
  labels: { severity: Severity };
  annotations: { summary: string; description: string; runbook_url: string };
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Array<RecordingRule | AlertRule>;
}

/** For the chart: the literal holding each tunable threshold, per alert using it. */
export type ThresholdMap = Record<string, { default: number; alerts: Record<string, string> }>;

export interface RuleSet {
  groups: RuleGroup[];
  thresholds: ThresholdMap;
}

/** Names of the recording rules; dashboards query these so panels and alerts agree. */
export function recordNames(cfg: BundleConfig) {
  const w = cfg.windows;
  return {
    pending: 'namespace_team_app_reason:spark_k8s_executors_pending:max',
    pendingByNamespace: 'namespace_reason:spark_k8s_executors_pending:sum',
    exits: `namespace_team_app_reason:spark_k8s_executor_exits:increase${w.events}`,
    oomKills: `namespace_team_app_role:spark_k8s_container_oom_kills:increase${w.events}`,
    skipped: `namespace_team_app:spark_k8s_executor_ids_skipped:increase${w.events}`,
    driverExits: `namespace_team_app_reason:spark_k8s_driver_exits:increase${w.events}`,
    appFailures: `namespace_team_app_state:spark_k8s_application_failures:increase${w.events}`,
    lifetimeMean: `namespace_team_app:spark_k8s_executor_lifetime_seconds:mean${w.churn}`,
    lifetimeExits: `namespace_team_app:spark_k8s_executor_lifetime_seconds_count:increase${w.churn}`,
    quotaUsed: 'namespace_team_quota_resource:spark_k8s_quota_used:max',
    quotaHard: 'namespace_team_quota_resource:spark_k8s_quota_hard:max',
    quotaSaturation: 'namespace_team_quota_resource:spark_k8s_quota_saturation:ratio',
  } as const;
}

export function buildRules(cfg: BundleConfig): RuleSet {
  const R = recordNames(cfg);
  const t = cfg.thresholds;
  const w = cfg.windows;
  const x = cfg.exporterSelector;
  const d = (e: string) => dedup(cfg.haLabels, e);
  const by = (...labels: string[]) => [cfg.clusterLabel, ...labels].join(', ');
  const ns = cfg.namespaceLabel;
  const team = cfg.teamLabel;

  /**
   * Counters whose series appear only when the first event happens (with value 1): `increase()`
   * needs two samples and would never see that first event, so a series that is new within the
   * window counts with its value.
   */
  const recentEvents = (metric: string, ...matchers: string[]) => {
    const s = sel(metric, x, ...matchers);
    return d(`(increase(${s}[${w.events}]) > 0) or (${s} unless ${s} offset ${w.events})`);
  };

  // Each group lists its recording rules before the alerts reading them: rules within a group run
  // in order at the same timestamp, whereas an alert in another group would see the recorded value
  // of the previous evaluation (and promtool orders groups randomly, making tests flaky).
  const executorRecords: RecordingRule[] = [
    { record: R.pending, expr: d(sel('spark_k8s_executors_pending', x)) },
    { record: R.pendingByNamespace, expr: `sum by (${by(ns, 'reason')}) (${R.pending})` },
    // Exit series exist at 0 from the app's first sighting, so plain increase() sees the first exit.
    { record: R.exits, expr: d(`increase(${sel('spark_k8s_executor_exits_total', x)}[${w.events}])`) },
    { record: R.oomKills, expr: recentEvents('spark_k8s_container_oom_kills_total') },
    // Driver exit series exist at 0 from the driver's first sighting, like the executors'.
    { record: R.driverExits, expr: d(`increase(${sel('spark_k8s_driver_exits_total', x)}[${w.events}])`) },
    { record: R.skipped, expr: recentEvents('spark_k8s_executor_ids_skipped_total') },
    {
      record: R.lifetimeMean,
      expr:
        `${d(`rate(${sel('spark_k8s_executor_lifetime_seconds_sum', x)}[${w.churn}])`)}\n/\n` +
        `${d(`rate(${sel('spark_k8s_executor_lifetime_seconds_count', x)}[${w.churn}])`)}`,
    },
    { record: R.lifetimeExits, expr: d(`increase(${sel('spark_k8s_executor_lifetime_seconds_count', x)}[${w.churn}])`) },
  ];
  const quotaRecords: RecordingRule[] = [
    { record: R.quotaUsed, expr: d(sel('spark_k8s_quota_used', x)) },
    { record: R.quotaHard, expr: d(sel('spark_k8s_quota_hard', x)) },
    // hard > 0: a zero hard limit (a resource forbidden outright) would otherwise divide to +Inf.
    { record: R.quotaSaturation, expr: `${R.quotaUsed}\n/\n(${R.quotaHard} > 0)` },
  ];
  const applicationRecords: RecordingRule[] = [{ record: R.appFailures, expr: recentEvents('spark_k8s_application_failures_total') }];

  const thresholds: ThresholdMap = {};
  /** The comparison with a tunable literal, recorded so the chart can substitute it. */
  const thr = (alert: AlertName, key: keyof Thresholds, op: string, prefix = ''): string => {
    const text = `${prefix}${op} ${t[key]}`;
    const entry = (thresholds[key] ??= { default: t[key], alerts: {} });
    entry.alerts[alert] = text;
    return text;
  };

  const appWhere = `{{ $labels.app_name }} ({{ $labels.app_id }}) in namespace {{ $labels.${ns} }} (team {{ $labels.${team} }})`;
  const quotaWhere = `{{ $labels.resource }} of quota {{ $labels.quota }} in namespace {{ $labels.${ns} }} (team {{ $labels.${team} }})`;

  const alert = (name: AlertName, expr: string, summary: string, description: string): AlertRule => ({
    alert: name,
    expr,
    for: cfg.for[name],
    labels: { severity: cfg.severity[name] },
    annotations: { summary, description, runbook_url: `${cfg.runbookBaseUrl}${name.toLowerCase()}.md` },
  });

  const executorAlerts: AlertRule[] = [
    alert(
      'SparkExecutorsPendingTooLong',
      `${d(sel('spark_k8s_executor_pending_oldest_age_seconds', x))} ${thr('SparkExecutorsPendingTooLong', 'executorPendingAgeSeconds', '>=')}`,
      'Spark executors have been pending for too long.',
      `The oldest pending executor of ${appWhere} has waited {{ $value | humanizeDuration }} for a node; the application runs with fewer executors than it asked for.`,
    ),
    alert(
      'SparkExecutorOOMKilled',
      `${R.exits}{reason="oom_killed"} > 0`,
      'Spark executors were OOMKilled.',
      `{{ $value | printf "%.0f" }} executor(s) of ${appWhere} were killed by the kernel OOM killer in the last ${w.events}: the container memory limit (heap + memoryOverhead) is too small.`,
    ),
    alert(
      'SparkDriverOOMKilled',
      `${R.oomKills}{role="driver"} > 0`,
      'A Spark driver was OOMKilled.',
      `The driver container {{ $labels.container }} of ${appWhere} was killed by the kernel OOM killer in the last ${w.events}; the whole application fails with it.`,
    ),
    alert(
      'SparkDriverPreempted',
      `${R.driverExits}{reason=~"preempted|evicted"} > 0`,
      'A Spark driver was preempted or evicted.',
      `The driver of ${appWhere} ended because its node was reclaimed or it was evicted ({{ $labels.reason }}) in the last ${w.events}; the whole application failed with it. Keep drivers on on-demand capacity.`,
    ),
    alert(
      'SparkDriverOnSpotCapacity',
      `${d(sel('spark_k8s_driver_spot_eligible', x))} == 1`,
      'A Spark driver may run on spot capacity.',
      `The driver of ${appWhere} tolerates or selects spot/preemptible nodes; a reclaim there fails the whole application, not one executor. Pin drivers to on-demand nodes.`,
    ),
    alert(
      'SparkExecutorChurnHigh',
      `${R.lifetimeMean} ${thr('SparkExecutorChurnHigh', 'executorLifetimeChurnSeconds', '<')}\nand\n${R.lifetimeExits} ${thr('SparkExecutorChurnHigh', 'churnMinExits', '>=')}`,
      'Spark executors live too briefly (executor churn).',
      `Executors of {{ $labels.app_name }} in namespace {{ $labels.${ns} }} (team {{ $labels.${team} }}) lived {{ $value | humanizeDuration }} on average over the last ${w.churn}; pod startup overhead dominates. Raise spark.dynamicAllocation.executorIdleTimeout.`,
    ),
    alert(
      'SparkExecutorImagePullBackOff',
      `${R.pending}{reason="image_pull"} > 0`,
      'Spark executors cannot pull their image.',
      `{{ $value | printf "%.0f" }} executor(s) of ${appWhere} are stuck pulling their container image (ErrImagePull / ImagePullBackOff).`,
    ),
    alert(
      'SparkExecutorMemoryOverheadLow',
      `${d(sel('spark_k8s_executor_memory_overhead_ratio', x))} ${thr('SparkExecutorMemoryOverheadLow', 'memoryOverheadMinRatio', '<')}`,
      'Spark executor memory overhead is low; OOMKills are likely.',
      `Executors of ${appWhere} reserve only {{ $value | humanizePercentage }} of the heap for off-heap memory (spark.executor.memoryOverhead); workloads with Python UDFs, Arrow or large broadcasts routinely need 20-30%.`,
    ),
    alert(
      'SparkExecutorCreatesRejected',
      `${R.skipped} > 0`,
      'Spark executor pod creations are being rejected.',
      `The driver of ${appWhere} tried to create {{ $value | printf "%.0f" }} executor(s) in the last ${w.events} that never appeared as pods: the API server rejected them, usually because a ResourceQuota is exhausted.`,
    ),
  ];

  const quotaAlerts: AlertRule[] = [
    alert(
      'SparkNamespaceQuotaNearlyFull',
      `${R.quotaSaturation} ${thr('SparkNamespaceQuotaNearlyFull', 'quotaNearlyFullRatio', '>=')} < 1`,
      'A Spark namespace ResourceQuota is nearly full.',
      `${quotaWhere} is {{ $value | humanizePercentage }} used; new executors and drivers will soon be rejected.`,
    ),
    alert(
      'SparkNamespaceQuotaExhausted',
      `${R.quotaSaturation} >= 1`,
      'A Spark namespace ResourceQuota is exhausted.',
      `${quotaWhere} is {{ $value | humanizePercentage }} used: the API server rejects every new executor and driver that needs it.`,
    ),
    alert(
      'SparkNamespaceQuotaExhaustionForecast',
      `predict_linear(${R.quotaUsed}[${w.forecast}]${thr('SparkNamespaceQuotaExhaustionForecast', 'quotaForecastHorizonSeconds', '', ', ')})\n>= ${R.quotaHard}\nand\n${R.quotaSaturation} < 1`,
      'A Spark namespace ResourceQuota will be exhausted soon.',
      `At the rate of the last ${w.forecast}, ${quotaWhere} reaches its hard limit within ${humanSeconds(t.quotaForecastHorizonSeconds)} (forecast use {{ $value | humanize }}).`,
    ),
  ];

  const applicationAlerts: AlertRule[] = [
    alert(
      'SparkApplicationFailed',
      `${R.appFailures} > 0`,
      'A SparkApplication failed.',
      `SparkApplication {{ $labels.app_name }} in namespace {{ $labels.${ns} }} (team {{ $labels.${team} }}) entered {{ $labels.state }} in the last ${w.events}.`,
    ),
  ];

  const up = sel('up', x);
  const exporterAlerts: AlertRule[] = [
    alert(
      'SparkK8sExporterDown',
      `${up} == 0\nor\nabsent(${up})`,
      'The Spark Kubernetes exporter is down.',
      'Prometheus cannot scrape the exporter{{ with $labels.instance }} {{ . }}{{ end }} (job {{ $labels.job }}): Spark executor, OOMKill and quota alerts are blind.',
    ),
    alert(
      'SparkK8sExporterWatchStalled',
      `time() - ${sel('spark_k8s_exporter_last_event_timestamp_seconds', x)} ${thr('SparkK8sExporterWatchStalled', 'watchStalledSeconds', '>')}`,
      'The Spark Kubernetes exporter stopped receiving watch events.',
      'The exporter {{ $labels.instance }} has received no watch event or bookmark for {{ $labels.resource }} for {{ $value | humanizeDuration }}; its metrics may be stale.',
    ),
    alert(
      'SparkK8sExporterNotSynced',
      `${sel('spark_k8s_exporter_synced', x)} == 0`,
      'The Spark Kubernetes exporter has not synced.',
      'The exporter {{ $labels.instance }} has not completed its initial list and watch of {{ $labels.resource }}; its metrics are incomplete.',
    ),
  ];

  const interval = cfg.ruleInterval === '' ? {} : { interval: cfg.ruleInterval };
  const groups: RuleGroup[] = [
    { name: 'spark-k8s-exporter.executors', ...interval, rules: [...executorRecords, ...executorAlerts] },
    { name: 'spark-k8s-exporter.quotas', ...interval, rules: [...quotaRecords, ...quotaAlerts] },
    { name: 'spark-k8s-exporter.applications', ...interval, rules: [...applicationRecords, ...applicationAlerts] },
    { name: 'spark-k8s-exporter.exporter', ...interval, rules: exporterAlerts },
  ];
  return { groups, thresholds: sortKeys(thresholds) };
}

/** 14400 → "4h": for descriptions, where a round unit reads better than seconds. */
export function humanSeconds(s: number): string {
  if (s >= 3600 && s % 3600 === 0) return `${s / 3600}h`;
  if (s >= 60 && s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

function sortKeys<T>(obj: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => a.localeCompare(b)));
}

export function isAlert(rule: RecordingRule | AlertRule): rule is AlertRule {
  return 'alert' in rule;
}

export function allAlerts(set: RuleSet): AlertRule[] {
  return set.groups.flatMap((g) => g.rules.filter(isAlert));
}

export function recordedNames(set: RuleSet): Set<string> {
  return new Set(set.groups.flatMap((g) => g.rules.filter((r): r is RecordingRule => !isAlert(r)).map((r) => r.record)));
}
