/**
 * Spark's own metrics, as the driver's PrometheusServlet (`/metrics/prometheus`) serves them: the
 * ExecutorAllocationManager gauges say how many executors dynamic allocation wants
 * (numberTargetExecutors) and has (numberAllExecutors). That is the direct form of what the
 * exporter infers from skipped executor ids: "executors Spark wants but does not have".
 *
 * The servlet puts the application id into the metric *name*
 * (`metrics_spark_<hex>_driver_ExecutorAllocationManager_executors_numberTargetExecutors_Value`,
 * every non-alphanumeric turned into `_`) unless `spark.metrics.namespace` is set (the kubeflow
 * operator sets `<namespace>.<app name>` when monitoring is on); the generated ServiceMonitor also
 * puts the driver Service's `spark-app-selector` into `application_id`. The recordings take the id
 * from the name where it is there (restoring Spark's `spark-` dash), else from that label, and join
 * the exporter's pods for the team and application name, so alerts route like the others.
 */
import { sel } from '../promql.js';
import { defineArea, type RuleContext } from './spec.js';

export function sparkRecordNames() {
  return {
    sparkTarget: 'namespace_team_app:spark_allocation_target_executors:max',
    sparkAll: 'namespace_team_app:spark_allocation_all_executors:max',
    sparkMissing: 'namespace_team_app:spark_allocation_missing_executors:max',
  } as const;
}

const SOURCE = 'driver_ExecutorAllocationManager_executors';

/** One ExecutorAllocationManager gauge per application, labelled like the exporter's series. */
function allocationGauge(c: RuleContext, gauge: string): string {
  const { cfg, ns, team, by, d, x } = c;
  const name = `${SOURCE}_${gauge}_Value`;
  // Only K8s-generated ids (spark-<32 hex>) survive the name mangling unambiguously.
  const fromName = `label_replace(${sel('', `__name__=~"metrics_.+_${name}"`, cfg.sparkMetricsSelector)}, "application_id", "spark-$1", "__name__", "metrics_spark_([0-9a-f]+)_${name}")`;
  const asAppId = `label_replace(${fromName}, "app_id", "$1", "application_id", "(.+)")`;
  // group by: one 1 per application however many exporter replicas report its pods.
  const apps = `group by (${by(ns, team, 'app_id', 'app_name')}) (${d(x('spark_k8s_pods'))})`;
  return `max by (${by(ns, 'app_id')}) (${asAppId})\n* on (${by(ns, 'app_id')}) group_left(${team}, app_name)\n${apps}`;
}

export const spark = defineArea({
  group: 'spark-k8s-exporter.spark',
  records: (c) => [
    { record: c.R.sparkTarget, expr: allocationGauge(c, 'numberTargetExecutors') },
    { record: c.R.sparkAll, expr: allocationGauge(c, 'numberAllExecutors') },
    { record: c.R.sparkMissing, expr: `${c.R.sparkTarget}\n- ${c.R.sparkAll}` },
  ],
  alerts: [
    {
      name: 'SparkExecutorsBelowTarget',
      expr: ({ R }) => `${R.sparkMissing} > 0`,
      for: '10m',
      severity: 'warning',
      summary: 'A Spark application has fewer executors than dynamic allocation wants.',
      description: ({ appWhere, x, ns }) => {
        // The same application's pending reasons and quota headroom, read when the alert fires.
        const pending = `max by (reason) (${x('spark_k8s_executors_pending', `${ns}="%s"`, 'app_id="%s"')}) > 0`;
        const headroom = `min(${x('spark_k8s_quota_headroom_executors', `${ns}="%s"`, 'app_id="%s"')})`;
        const args = `$labels.${ns} $labels.app_id`;
        return (
          `Spark's dynamic allocation in ${appWhere} wants {{ $value | printf "%.0f" }} more executor(s) than it has (numberTargetExecutors − numberAllExecutors). ` +
          `Pending executors: {{ range $i, $s := printf \`${pending}\` ${args} | query }}{{ if $i }}, {{ end }}{{ $s.Value | printf "%.0f" }} {{ $s.Labels.reason }}{{ else }}none{{ end }}; ` +
          `quota headroom: {{ with printf \`${headroom}\` ${args} | query }}{{ . | first | value | printf "%.0f" }} executor(s){{ else }}no quota{{ end }}. ` +
          'None pending with no headroom: the quota rejects the creates; pending unschedulable: the cluster lacks nodes.'
        );
      },
      runbook: 'sparkexecutorsbelowtarget.md',
    },
  ],
});
