/**
 * The metric catalogue: every metric the exporter serves, defined once.
 *
 * The exporter renders exactly these families (src/metrics), the README table is generated from
 * them, and the bundle generator (src/bundle) refuses any PromQL that names a metric that is
 * neither here nor in the external list. Names are the public interface: change with care.
 */

export type MetricType = 'gauge' | 'counter' | 'histogram';
export type MetricGroup = 'pods' | 'executors' | 'quota' | 'applications' | 'exporter';

export interface MetricDef {
  /** Full name as exposed; counters end in `_total`, as Prometheus naming wants. */
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly labels: readonly string[];
  /** Base unit, as in OpenMetrics' `# UNIT` (seconds, bytes, ratio). */
  readonly unit?: 'seconds' | 'bytes' | 'ratio';
  readonly buckets?: readonly number[];
  readonly group: MetricGroup;
}

/** The label every per-application family carries, in this order. */
export const APP_LABELS = ['namespace', 'team', 'app_id', 'app_name'] as const;

export const PENDING_REASONS = [
  'unschedulable',
  'scheduling_gated',
  'image_pull',
  'container_creating',
  'config_error',
  'other',
] as const;
export type PendingReason = (typeof PENDING_REASONS)[number];

export const EXIT_REASONS = ['completed', 'oom_killed', 'error', 'evicted', 'preempted', 'deleted'] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

export const POD_PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'] as const;
export type PodPhase = (typeof POD_PHASES)[number];

export const ROLES = ['driver', 'executor'] as const;

/** Why a SparkApplication ended failed for good: a bounded set, whatever the operator wrote. */
export const FAILURE_REASONS = ['driver_oom_killed', 'driver_evicted', 'driver_preempted', 'driver_error', 'submission_failed', 'image_pull', 'unknown'] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** The `operator` label: kubeflow's spark-operator (sparkoperator.k8s.io) or Apache's spark-kubernetes-operator (spark.apache.org). */
export const OPERATORS = ['kubeflow', 'apache'] as const;
export type Operator = (typeof OPERATORS)[number];
export type Role = (typeof ROLES)[number];

/** 30s … 24h, with 5m (the churn line users know) among them. */
export const LIFETIME_BUCKETS = [30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 43200, 86400] as const;
/** Pod creation to Spark container running: seconds for a warm node, minutes for a cold pull. */
export const STARTUP_BUCKETS = [1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600] as const;
export const RENDER_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

const app = APP_LABELS;

export const CATALOGUE = [
  // --- pods and executors -------------------------------------------------------------------
  {
    name: 'spark_k8s_pod_info',
    help: 'One series per Spark pod, always 1, naming its application, team, role and Spark container: join per-pod series (cAdvisor, kubelet) to Spark applications with it, as with kube_pod_info.',
    type: 'gauge',
    labels: ['namespace', 'pod', 'team', 'app_id', 'app_name', 'role', 'container'],
    group: 'pods',
  },
  {
    name: 'spark_k8s_pods',
    help: 'Spark driver and executor pods by phase.',
    type: 'gauge',
    labels: [...app, 'role', 'phase'],
    group: 'pods',
  },
  {
    name: 'spark_k8s_executors_pending',
    help: 'Pending executor pods by the reason they are not running.',
    type: 'gauge',
    labels: [...app, 'reason'],
    group: 'executors',
  },
  {
    name: 'spark_k8s_executor_pending_oldest_age_seconds',
    help: 'Age of the oldest pending executor pod of the application.',
    type: 'gauge',
    labels: [...app],
    unit: 'seconds',
    group: 'executors',
  },
  {
    name: 'spark_k8s_executor_starts_total',
    help: 'Executor pods created, counted once each.',
    type: 'counter',
    labels: [...app],
    group: 'executors',
  },
  {
    name: 'spark_k8s_executor_exits_total',
    help: 'Executor pods that ended, by why they ended, counted once each.',
    type: 'counter',
    labels: [...app, 'reason'],
    group: 'executors',
  },
  {
    name: 'spark_k8s_executor_churn_per_minute',
    help: 'Executors that ended per minute over the churn window.',
    type: 'gauge',
    labels: ['namespace', 'team', 'app_name'],
    group: 'executors',
  },
  {
    name: 'spark_k8s_executor_lifetime_seconds',
    help: 'Executor pod lifetime, from creation to end.',
    type: 'histogram',
    labels: ['namespace', 'team', 'app_name'],
    unit: 'seconds',
    buckets: LIFETIME_BUCKETS,
    group: 'executors',
  },
  {
    name: 'spark_k8s_pod_startup_seconds',
    help: 'Time from pod creation until its Spark container runs.',
    type: 'histogram',
    labels: ['namespace', 'team', 'role'],
    unit: 'seconds',
    buckets: STARTUP_BUCKETS,
    group: 'pods',
  },
  {
    name: 'spark_k8s_container_oom_kills_total',
    help: 'Containers of Spark pods killed by the kernel OOM killer (cgroup memory limit).',
    type: 'counter',
    labels: [...app, 'role', 'container'],
    group: 'pods',
  },
  {
    name: 'spark_k8s_driver_exits_total',
    help: 'Driver pods that ended, by why they ended, counted once each; a preempted or evicted driver fails its application.',
    type: 'counter',
    labels: [...app, 'reason'],
    group: 'pods',
  },
  {
    name: 'spark_k8s_driver_spot_eligible',
    help: '1 while the application\'s driver pod tolerates or selects spot/preemptible nodes, where a preemption fails the whole application.',
    type: 'gauge',
    labels: [...app],
    group: 'pods',
  },
  {
    name: 'spark_k8s_executor_memory_overhead_ratio',
    help: 'Executor container memory limit (the OOM killer\'s bound; the request where no limit is set) beyond the JVM heap, as a fraction of the heap.',
    type: 'gauge',
    labels: [...app],
    unit: 'ratio',
    group: 'executors',
  },
  {
    name: 'spark_k8s_executor_ids_skipped_total',
    help: 'Executor ids never seen as pods: creates the API server rejected, e.g. over quota.',
    type: 'counter',
    labels: [...app],
    group: 'executors',
  },
  {
    name: 'spark_k8s_executor_memory_request_bytes',
    help: 'Memory request of the application\'s executor container (Spark 2.4+ sets it equal to the limit; 2.3 to the heap).',
    type: 'gauge',
    labels: [...app],
    unit: 'bytes',
    group: 'executors',
  },
  {
    name: 'spark_k8s_executor_memory_limit_bytes',
    help: 'Memory limit of the application\'s executor container: the cgroup bound the kernel OOM killer enforces.',
    type: 'gauge',
    labels: [...app],
    unit: 'bytes',
    group: 'executors',
  },
  {
    name: 'spark_k8s_executor_heap_bytes',
    help: 'JVM heap of the application\'s executors (spark.executor.memory, from SPARK_EXECUTOR_MEMORY).',
    type: 'gauge',
    labels: [...app],
    unit: 'bytes',
    group: 'executors',
  },
  // --- quotas ---------------------------------------------------------------------------------
  {
    name: 'spark_k8s_quota_hard',
    help: 'ResourceQuota hard limit per resource.',
    type: 'gauge',
    labels: ['namespace', 'team', 'quota', 'resource'],
    group: 'quota',
  },
  {
    name: 'spark_k8s_quota_used',
    help: 'ResourceQuota usage per resource.',
    type: 'gauge',
    labels: ['namespace', 'team', 'quota', 'resource'],
    group: 'quota',
  },
  {
    name: 'spark_k8s_quota_saturation_ratio',
    help: 'ResourceQuota used divided by hard, for resources with a non-zero hard limit.',
    type: 'gauge',
    labels: ['namespace', 'team', 'quota', 'resource'],
    unit: 'ratio',
    group: 'quota',
  },
  {
    name: 'spark_k8s_quota_headroom_executors',
    help: 'How many more of this application\'s executors the namespace\'s quotas admit (tightest resource).',
    type: 'gauge',
    labels: [...app],
    group: 'quota',
  },
  {
    name: 'spark_k8s_executors_missing',
    help: 'Executors the application should have by its SparkApplication (instances, or the dynamic-allocation minimum) but has neither running nor pending.',
    type: 'gauge',
    labels: [...app],
    group: 'executors',
  },
  // --- SparkApplications ----------------------------------------------------------------------
  {
    name: 'spark_k8s_applications',
    help: 'SparkApplications by application state as their operator spells it (kubeflow spark-operator: NEW for not yet submitted; Apache spark-kubernetes-operator: its currentStateSummary).',
    type: 'gauge',
    labels: ['namespace', 'team', 'state', 'operator'],
    group: 'applications',
  },
  {
    name: 'spark_k8s_application_state_seconds',
    help: 'How long the SparkApplication has been in its current state: from the status\' own timestamps where they exist, else from when the exporter saw the transition (a lower bound after a restart). Non-terminal applications, and terminal ones within the retention.',
    type: 'gauge',
    labels: ['namespace', 'team', 'app_name', 'state', 'operator'],
    unit: 'seconds',
    group: 'applications',
  },
  {
    name: 'spark_k8s_application_failures_total',
    help: 'SparkApplications that ended failed for good (retries exhausted or none configured), counted once each, by the failed state and why: the driver pod the exporter saw, else the status\' errorMessage.',
    type: 'counter',
    labels: ['namespace', 'team', 'app_name', 'state', 'reason', 'operator'],
    group: 'applications',
  },
  {
    name: 'spark_k8s_application_retries_total',
    help: 'Failed attempts (failed submissions or failed runs) the operator retried by its restart policy, counted once each from the status\' attempt counters.',
    type: 'counter',
    labels: ['namespace', 'team', 'app_name', 'operator'],
    group: 'applications',
  },
  {
    name: 'spark_k8s_application_driver_status',
    help: 'Always 1, one series per non-terminal SparkApplication, saying what its driver pod is doing: running, ended, the reason it is pending (as spark_k8s_executors_pending) or none (no driver pod seen).',
    type: 'gauge',
    labels: ['namespace', 'team', 'app_name', 'operator', 'driver_status'],
    group: 'applications',
  },
  {
    name: 'spark_k8s_scheduled_application_last_run_timestamp_seconds',
    help: 'Unix time a ScheduledSparkApplication last started a run (status.lastRun).',
    type: 'gauge',
    labels: ['namespace', 'team', 'scheduled_app'],
    unit: 'seconds',
    group: 'applications',
  },
  {
    name: 'spark_k8s_scheduled_application_next_run_timestamp_seconds',
    help: 'Unix time a ScheduledSparkApplication is due to start its next run (status.nextRun); in the past when a run is overdue.',
    type: 'gauge',
    labels: ['namespace', 'team', 'scheduled_app'],
    unit: 'seconds',
    group: 'applications',
  },
  {
    name: 'spark_k8s_scheduled_application_last_success_timestamp_seconds',
    help: 'Unix time the latest successful (COMPLETED) run of a ScheduledSparkApplication finished, where the exporter knows it (the run object still exists or was seen completing).',
    type: 'gauge',
    labels: ['namespace', 'team', 'scheduled_app'],
    unit: 'seconds',
    group: 'applications',
  },
  {
    name: 'spark_k8s_scheduled_application_last_run_state',
    help: 'Always 1: the state of the SparkApplication a ScheduledSparkApplication last started (status.lastRunName), UNKNOWN when that object is not (or no longer) seen.',
    type: 'gauge',
    labels: ['namespace', 'team', 'scheduled_app', 'run_name', 'state'],
    group: 'applications',
  },
  {
    name: 'spark_k8s_scheduled_application_suspended',
    help: '1 when the ScheduledSparkApplication is suspended (spec.suspend), else 0.',
    type: 'gauge',
    labels: ['namespace', 'team', 'scheduled_app'],
    group: 'applications',
  },
  {
    name: 'spark_k8s_application_dynamic_allocation',
    help: 'Effective dynamic-allocation settings of a SparkApplication (spec.dynamicAllocation over spec.sparkConf, with Spark\'s defaults); booleans as 0/1, times in seconds.',
    type: 'gauge',
    labels: ['namespace', 'team', 'app_name', 'setting'],
    group: 'applications',
  },
  // --- the exporter itself --------------------------------------------------------------------
  {
    name: 'spark_k8s_exporter_build_info',
    help: 'Build information of the exporter; the value is always 1.',
    type: 'gauge',
    labels: ['version', 'nodejs_version'],
    group: 'exporter',
  },
  {
    name: 'spark_k8s_exporter_watch_events_total',
    help: 'Watch events received from the Kubernetes API.',
    type: 'counter',
    labels: ['resource', 'type'],
    group: 'exporter',
  },
  {
    name: 'spark_k8s_exporter_watch_restarts_total',
    help: 'Watches restarted, by why.',
    type: 'counter',
    labels: ['resource', 'reason'],
    group: 'exporter',
  },
  {
    name: 'spark_k8s_exporter_list_total',
    help: 'Full lists (initial syncs and relists) by result.',
    type: 'counter',
    labels: ['resource', 'result'],
    group: 'exporter',
  },
  {
    name: 'spark_k8s_exporter_synced',
    help: '1 when the resource\'s initial list has completed and its watch is live.',
    type: 'gauge',
    labels: ['resource'],
    group: 'exporter',
  },
  {
    name: 'spark_k8s_exporter_tracked_objects',
    help: 'Objects of the resource held in the exporter\'s model.',
    type: 'gauge',
    labels: ['resource'],
    group: 'exporter',
  },
  {
    name: 'spark_k8s_exporter_tracked_applications',
    help: 'Spark applications whose series the exporter holds (live or within retention).',
    type: 'gauge',
    labels: [],
    group: 'exporter',
  },
  {
    name: 'spark_k8s_exporter_last_event_timestamp_seconds',
    help: 'Unix time of the last watch event or bookmark received for the resource.',
    type: 'gauge',
    labels: ['resource'],
    unit: 'seconds',
    group: 'exporter',
  },
  {
    name: 'spark_k8s_exporter_objects_rejected_total',
    help: 'Objects from the API the exporter could not use, skipped, by why.',
    type: 'counter',
    labels: ['resource', 'reason'],
    group: 'exporter',
  },
  {
    name: 'spark_k8s_exporter_audit_drift_total',
    help: 'Differences the periodic audit relist found between the model and the API, corrected.',
    type: 'counter',
    labels: ['resource'],
    group: 'exporter',
  },
  {
    name: 'spark_k8s_exporter_metrics_render_seconds',
    help: 'Time to render the /metrics response.',
    type: 'histogram',
    labels: [],
    unit: 'seconds',
    buckets: RENDER_BUCKETS,
    group: 'exporter',
  },
  {
    name: 'spark_k8s_exporter_shard_ordinal',
    help: 'This exporter\'s shard number (0-based).',
    type: 'gauge',
    labels: [],
    group: 'exporter',
  },
  {
    name: 'spark_k8s_exporter_total_shards',
    help: 'How many shards the applications are split across.',
    type: 'gauge',
    labels: [],
    group: 'exporter',
  },
] as const satisfies readonly MetricDef[];

export type MetricName = (typeof CATALOGUE)[number]['name'];

/** prom-client's default Node.js process metrics are served too; they are not ours to name. */
export const PROCESS_METRIC_PREFIXES = ['process_', 'nodejs_'] as const;

/**
 * Metrics other exporters serve that the bundle may query. Spark's PrometheusServlet names its
 * executor metrics with a `metrics_executor_` prefix (3.x) or `spark_executor_`-style names via
 * the executor endpoint; kube-state-metrics for the pods' nodes; Prometheus itself for `up`.
 */
export const EXTERNAL_METRICS = [
  'up',
  'scrape_duration_seconds',
  'scrape_samples_scraped',
  'metrics_executor_totalDuration_seconds_total',
  'metrics_executor_totalGCTime_seconds_total',
  'metrics_executor_totalShuffleWrite_bytes_total',
  'metrics_executor_totalShuffleRead_bytes_total',
  'metrics_executor_memoryUsed_bytes',
  'metrics_executor_activeTasks',
  'kube_pod_info',
  'kube_node_labels',
  // cAdvisor as the kubelet serves it at /metrics/cadvisor; the limit is dropped by kube-prometheus-stack's defaults.
  'container_memory_working_set_bytes',
  'container_spec_memory_limit_bytes',
  // kube-state-metrics: the memory limit where cAdvisor's spec series are dropped.
  'kube_pod_container_resource_limits',
] as const;

/**
 * Whether a series name (as it appears in PromQL or on the wire) belongs to a catalogue family,
 * including a histogram's `_bucket`, `_sum` and `_count` series.
 */
export function isCatalogueSeries(series: string): boolean {
  for (const m of CATALOGUE as readonly MetricDef[]) {
    if (m.name === series) return true;
    if (m.type === 'histogram' && (series === `${m.name}_bucket` || series === `${m.name}_sum` || series === `${m.name}_count`)) {
      return true;
    }
  }
  return false;
}
