/** `Spark on Kubernetes / Application`: one application's executors, in depth. */
import type { BundleConfig } from '../config.js';
import { dedup, sel } from '../promql.js';
import { recordNames } from '../rules.js';
import { scale } from '../tunable.js';
import { falling, filters, rising, type DashboardSpec } from './spec.js';

export function applicationDashboard(cfg: BundleConfig): DashboardSpec {
  const R = recordNames(cfg);
  const f = filters(cfg);
  const x = cfg.exporterSelector;
  const t = cfg.thresholds;
  const d = (e: string) => dedup(cfg.haLabels, e);
  const rate = (metric: string, matchers: string) => d(`rate(${sel(metric, x, matchers)}[$__rate_interval])`);
  // Spark's executor summaries come from the driver (PrometheusResource), labelled application_id = our app_id.
  const spark = (metric: string) => sel(metric, cfg.sparkMetricsSelector, f.join(f.cluster, `${cfg.namespaceLabel}=~"$namespace"`, 'application_id=~"$app_id"'));
  const quantile = (q: number, metric: string, by: string, matchers: string) =>
    `histogram_quantile(${q}, sum by (le, ${by}) (${rate(metric, matchers)}))`;
  return {
    slug: 'application',
    title: 'Application',
    description: 'One Spark application in depth: executors by phase, why they pend, how long they live and start, OOMKills, memory headroom and the recommended overhead, dynamic-allocation settings, rejected creates and Spark\'s own executor metrics.',
    variables: ['datasource', 'cluster', 'namespace', 'team', 'app', 'app_id'],
    variableSource: 'spark_k8s_pods',
    rows: [
      {
        title: 'Pods',
        panels: [
          {
            kind: 'timeseries',
            title: 'Pods by role and phase',
            description: 'Driver and executor pods of the application by pod phase over time.',
            unit: 'short',
            thresholds: rising(1000),
            stack: true,
            min: 0,
            queries: [{ expr: `sum by (app_name, role, phase) (${d(sel('spark_k8s_pods', x, f.app))})`, legend: '{{app_name}} {{role}} {{phase}}' }],
            width: 12,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'Pending executors by reason',
            description: 'Executors waiting to run, by why. unschedulable: no node fits (capacity, quota-sized nodes, affinity); image_pull: registry or image problems.',
            unit: 'short',
            thresholds: rising(1),
            stack: true,
            min: 0,
            queries: [{ expr: `sum by (app_name, reason) (${R.pending}{${f.app}})`, legend: '{{app_name}} {{reason}}' }],
            width: 12,
            height: 8,
          },
          {
            kind: 'heatmap',
            title: 'Executor lifetime distribution',
            description: 'How long executors lived before they ended, per histogram bucket. Mass under 5 minutes means churn.',
            unit: 's',
            thresholds: falling(t.executorLifetimeChurnSeconds),
            queries: [
              {
                expr: `sum by (le) (${rate('spark_k8s_executor_lifetime_seconds_bucket', f.app)})`,
                legend: '{{le}}',
                format: 'heatmap',
              },
            ],
            width: 12,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'Executor startup latency',
            description: 'Pod creation to Spark container running, p50 and p90, for the namespace and team (the histogram has no application label). Minutes mean cold nodes or image pulls.',
            unit: 's',
            thresholds: rising(30, 120),
            min: 0,
            queries: [
              { expr: quantile(0.5, 'spark_k8s_pod_startup_seconds_bucket', 'role', f.join(f.nsTeam, 'role="executor"')), legend: 'p50' },
              { expr: quantile(0.9, 'spark_k8s_pod_startup_seconds_bucket', 'role', f.join(f.nsTeam, 'role="executor"')), legend: 'p90' },
            ],
            width: 12,
            height: 8,
          },
        ],
      },
      {
        title: 'Memory and quota',
        panels: [
          {
            kind: 'timeseries',
            title: 'OOMKills',
            description: `Containers of the application killed by the OOM killer in the last ${cfg.windows.events}, by role and container.`,
            unit: 'short',
            thresholds: rising(1),
            min: 0,
            queries: [{ expr: `sum by (app_name, role, container) (${R.oomKills}{${f.app}})`, legend: '{{app_name}} {{role}} {{container}}' }],
            width: 8,
            height: 8,
          },
          {
            kind: 'stat',
            title: 'Executor memory overhead ratio',
            description: `(executor memory request − heap) / heap. Red under ${scale(t.memoryOverheadMinRatio, 100)}%: Python UDFs, Arrow and large broadcasts need 20–30% (spark.executor.memoryOverhead).`,
            unit: 'percentunit',
            thresholds: falling(t.memoryOverheadMinRatio),
            min: 0,
            queries: [{ expr: d(sel('spark_k8s_executor_memory_overhead_ratio', x, f.app)), legend: '{{app_name}}' }],
            width: 8,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'Skipped executor ids and quota headroom',
            description: `Executor creates the API server rejected in the last ${cfg.windows.events} (ids never seen as pods, usually quota), and how many more executors the namespace quotas admit.`,
            unit: 'short',
            thresholds: rising(1),
            min: 0,
            queries: [
              { expr: `sum by (app_name) (${R.skipped}{${f.app}})`, legend: '{{app_name}} rejected' },
              { expr: d(sel('spark_k8s_quota_headroom_executors', x, f.app)), legend: '{{app_name}} headroom' },
            ],
            width: 8,
            height: 8,
          },
        ],
      },
      {
        title: 'Memory headroom',
        panels: [
          {
            kind: 'timeseries',
            title: 'Working set vs limit per executor',
            description: `cAdvisor working set of each Spark container over its memory limit (the OOM killer's bound), drivers included. SparkExecutorMemoryNearLimit / SparkDriverMemoryNearLimit fire above ${scale(t.memoryNearLimitRatio, 100)}% for 5m.`,
            unit: 'percentunit',
            thresholds: rising(t.memoryNearLimitRatio, 1),
            min: 0,
            queries: [{ expr: `${R.podLimitUsage}{${f.app}}`, legend: '{{role}} {{pod}}' }],
            width: 12,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'Executor memoryOverhead: recommended vs current',
            description: `Recommended spark.executor.memoryOverhead (highest executor working set of the last ${cfg.windows.memory} + ${scale(cfg.advice.memoryOverheadMargin, 100)}% − heap, at least ${cfg.advice.memoryOverheadMinMiB} MiB) beside what executors have now (limit − heap).`,
            unit: 'bytes',
            thresholds: rising(1e15),
            min: 0,
            queries: [
              { expr: `${R.overheadRecommended}{${f.app}}`, legend: '{{app_name}} recommended' },
              { expr: `${R.overheadCurrent}{${f.app}}`, legend: '{{app_name}} current' },
            ],
            width: 12,
            height: 8,
          },
        ],
      },
      {
        title: 'Dynamic allocation',
        panels: [
          {
            kind: 'table',
            title: 'Dynamic-allocation settings',
            description: 'Effective settings from the SparkApplication (spec.dynamicAllocation over spec.sparkConf, Spark\'s defaults where unset); booleans as 0/1, the idle timeout in seconds.',
            unit: 'short',
            thresholds: rising(1e15),
            queries: [{ expr: `max by (app_name, setting) (${d(sel('spark_k8s_application_dynamic_allocation', x, f.app))})`, instant: true, format: 'table' }],
            width: 8,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'Executor lifetime vs idle timeout',
            description: `Average executor lifetime over the last ${cfg.windows.churn} beside spark.dynamicAllocation.executorIdleTimeout. Lifetimes under ${t.executorLifetimeChurnSeconds}s with an idle timeout under ${t.executorIdleTimeoutMinSeconds}s fire SparkExecutorIdleTimeoutTooLow.`,
            unit: 's',
            thresholds: falling(t.executorLifetimeChurnSeconds),
            min: 0,
            queries: [
              { expr: `${R.lifetimeMean}{${f.app}}`, legend: '{{app_name}} mean lifetime' },
              { expr: d(sel('spark_k8s_application_dynamic_allocation', x, f.app, 'setting="executor_idle_timeout_seconds"')), legend: '{{app_name}} idle timeout' },
            ],
            width: 8,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'Executor startup p90 vs minExecutors',
            description: `Executor startup p90 over ${cfg.windows.startup} in the namespace beside the application's minExecutors; minExecutors 0 with a p90 over ${t.coldStartSeconds}s fires SparkDynamicAllocationColdStart.`,
            unit: 's',
            thresholds: rising(t.coldStartSeconds),
            min: 0,
            queries: [
              { expr: `${R.startupP90}{${f.join(f.cluster, `${cfg.namespaceLabel}=~"$namespace"`)}}`, legend: '{{' + cfg.namespaceLabel + '}} startup p90' },
              { expr: d(sel('spark_k8s_application_dynamic_allocation', x, f.app, 'setting="min_executors"')), legend: '{{app_name}} minExecutors' },
            ],
            width: 8,
            height: 8,
          },
        ],
      },
      {
        title: 'Executors Spark wants (dynamic allocation, PrometheusServlet)',
        panels: [
          {
            kind: 'timeseries',
            title: 'Executors Spark wants and has',
            description:
              "Spark's own count from the driver's ExecutorAllocationManager: numberTargetExecutors (what dynamic allocation asks for) and numberAllExecutors (what it has). Empty unless the driver's /metrics/prometheus is scraped and dynamic allocation is on.",
            unit: 'short',
            thresholds: rising(1000),
            min: 0,
            queries: [
              { expr: `sum by (app_name) (${R.sparkTarget}{${f.app}})`, legend: '{{app_name}} wanted' },
              { expr: `sum by (app_name) (${R.sparkAll}{${f.app}})`, legend: '{{app_name}} present' },
            ],
            width: 12,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'Executors wanted but missing, beside rejected creates',
            description: `Two views of one problem: wanted − present by Spark's count (SparkExecutorsBelowTarget) next to the executor ids the exporter saw skipped in the last ${cfg.windows.events} (creates the API server rejected, SparkExecutorCreatesRejected) and the quota headroom. Missing with rejections and no headroom: the quota; missing with none rejected: pods pending for nodes.`,
            unit: 'short',
            thresholds: rising(1),
            min: 0,
            queries: [
              { expr: `sum by (app_name) (${R.sparkMissing}{${f.app}})`, legend: '{{app_name}} missing (Spark)' },
              { expr: `sum by (app_name) (${R.skipped}{${f.app}})`, legend: '{{app_name}} rejected creates' },
              { expr: d(sel('spark_k8s_quota_headroom_executors', x, f.app)), legend: '{{app_name}} headroom' },
            ],
            width: 12,
            height: 8,
          },
        ],
      },
      {
        title: 'Spark executor metrics (PrometheusResource on the driver, when scraped)',
        panels: [
          {
            kind: 'timeseries',
            title: 'Executor task time and GC time',
            description: 'Seconds of task run time and JVM GC time per second, per executor, from Spark\'s /metrics/executors/prometheus on the driver. Empty unless the driver UI is scraped.',
            unit: 's',
            thresholds: rising(1000),
            min: 0,
            queries: [
              { expr: `sum by (executor_id) (rate(${spark('metrics_executor_totalDuration_seconds_total')}[$__rate_interval]))`, legend: 'task {{executor_id}}' },
              { expr: `sum by (executor_id) (rate(${spark('metrics_executor_totalGCTime_seconds_total')}[$__rate_interval]))`, legend: 'gc {{executor_id}}' },
            ],
            width: 12,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'Executor shuffle write and read',
            description: 'Shuffle bytes written and read per second, per executor, from Spark\'s executor metrics.',
            unit: 'Bps',
            thresholds: rising(1e12),
            min: 0,
            queries: [
              { expr: `sum by (executor_id) (rate(${spark('metrics_executor_totalShuffleWrite_bytes_total')}[$__rate_interval]))`, legend: 'write {{executor_id}}' },
              { expr: `sum by (executor_id) (rate(${spark('metrics_executor_totalShuffleRead_bytes_total')}[$__rate_interval]))`, legend: 'read {{executor_id}}' },
            ],
            width: 12,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'Executor active tasks',
            description: 'Tasks running now on each executor (and the driver), from Spark\'s /metrics/executors/prometheus.',
            unit: 'short',
            thresholds: rising(1000),
            min: 0,
            queries: [{ expr: `sum by (executor_id) (${spark('metrics_executor_activeTasks')})`, legend: '{{executor_id}}' }],
            width: 12,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'Executor storage memory used',
            description: 'Memory each executor uses for cached blocks (memoryUsed), from Spark\'s executor metrics.',
            unit: 'bytes',
            thresholds: rising(1e12),
            min: 0,
            queries: [{ expr: `sum by (executor_id) (${spark('metrics_executor_memoryUsed_bytes')})`, legend: '{{executor_id}}' }],
            width: 12,
            height: 8,
          },
        ],
      },
    ],
  };
}
