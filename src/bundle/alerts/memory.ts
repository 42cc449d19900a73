/**
 * Memory headroom before the OOM killer acts: cAdvisor's working set of each Spark container,
 * joined to its application and role through spark_k8s_pod_info, as a fraction of the container's
 * memory limit; the near-limit alerts; and the spark.executor.memoryOverhead the observed peak
 * calls for.
 *
 * Where the limit comes from, in order: cAdvisor's `container_spec_memory_limit_bytes` (the cgroup
 * itself; 0 means unlimited and is skipped), kube-state-metrics' `kube_pod_container_resource_limits`
 * (kube-prometheus-stack drops every `container_spec_*` series by default), and for executors the
 * exporter's own `spark_k8s_executor_memory_limit_bytes`, so executors are covered with no
 * kube-state-metrics at all. A container with no limit anywhere has no OOM bound of its own (node
 * pressure evicts it instead) and gets no ratio.
 */
import type { Windows } from '../config.js';
import { dedup, sel } from '../promql.js';
import { scale, without } from '../tunable.js';
import { defineArea, type RuleContext } from './spec.js';

const MIB = 1024 * 1024;

export function memoryRecordNames(w: Windows) {
  return {
    podWorkingSet: 'namespace_team_app_role_pod:spark_k8s_container_memory_working_set_bytes:max',
    podLimit: 'namespace_team_app_role_pod:spark_k8s_container_memory_limit_bytes:max',
    podLimitUsage: 'namespace_team_app_role_pod:spark_k8s_container_memory_limit_usage:ratio',
    limitUsage: 'namespace_team_app_role:spark_k8s_container_memory_limit_usage:max',
    limitUsagePeak: `namespace_team_app_role:spark_k8s_container_memory_limit_usage:max${w.memory}`,
    overheadCurrent: 'namespace_team_app:spark_k8s_executor_memory_overhead_bytes:max',
    overheadRecommended: `namespace_team_app:spark_k8s_executor_memory_overhead_recommended_bytes:max${w.memory}`,
  } as const;
}

/** The labels spark_k8s_pod_info adds to a per-pod series. */
const podInfoLabels = ({ team }: RuleContext) => `${team}, app_id, app_name, role`;

/**
 * spark_k8s_pod_info without the HA replicas' labels. The exporter is scraped with honorLabels, so
 * its own `pod` label gives way to the Spark pod's: removing every HA label, as dedup() elsewhere
 * does, would merge all pods of an application into one.
 */
function podInfo(c: RuleContext, ...matchers: string[]): string {
  const own = ['namespace', 'pod', 'container', 'team', 'app_id', 'app_name', 'role', c.ns, c.team];
  return dedup(without(c.cfg.haLabels, own), c.x('spark_k8s_pod_info', ...matchers));
}

/** cAdvisor's series of real containers: not the pod cgroup (`container=""`), nor the pause container (`POD`, or `container=""` with the pause image). */
const cadvisor = (c: RuleContext, metric: string) => sel(metric, c.cfg.cadvisorSelector, 'container!=""', 'container!="POD"', 'image!=""');

/** One value per container however many kubelet/cAdvisor series or kube-state-metrics replicas report it. */
const perContainer = (c: RuleContext, expr: string) => `max by (${c.by(c.ns, 'pod', 'container')}) (${expr})`;

/** Labels a per-container series with its Spark application and role; drops every non-Spark container. */
const toApp = (c: RuleContext, expr: string) =>
  `${expr}\n* on (${c.by(c.ns, 'pod', 'container')}) group_left(${podInfoLabels(c)})\n${podInfo(c)}`;

const appLabels = (c: RuleContext) => c.by(c.ns, c.team, 'app_id', 'app_name');

/** A PromQL template query for one application's recommended overhead in MiB, for descriptions. */
const recommendedMiB = (c: RuleContext) =>
  `{{ with printf "${c.R.overheadRecommended}{${c.cfg.clusterLabel}=%q, ${c.ns}=%q, app_id=%q} / ${MIB}" $labels.${c.cfg.clusterLabel} $labels.${c.ns} $labels.app_id | query }}` +
  `{{ . | first | value | printf "%.0f" }}m{{ else }}(not known yet: the executor heap or working set is missing){{ end }}`;

export const memory = defineArea({
  group: 'spark-k8s-exporter.memory',
  records: (c) => {
    const { R, d, x, w, cfg } = c;
    const a = cfg.advice;
    return [
      { record: R.podWorkingSet, expr: toApp(c, perContainer(c, cadvisor(c, 'container_memory_working_set_bytes'))) },
      {
        record: R.podLimit,
        expr: toApp(
          c,
          `(\n  ${perContainer(c, `${cadvisor(c, 'container_spec_memory_limit_bytes')} > 0`)}\n  or\n  ` +
            `${perContainer(c, sel('kube_pod_container_resource_limits', cfg.kubeStateMetricsSelector, 'resource="memory"'))}\n  or\n  ` +
            perContainer(c, `${podInfo(c, 'role="executor"')} * on (${c.by(c.ns, 'app_id')}) group_left() ${d(x('spark_k8s_executor_memory_limit_bytes'))}`) +
            '\n)',
        ),
      },
      { record: R.podLimitUsage, expr: `${R.podWorkingSet}\n/\n${R.podLimit}` },
      { record: R.limitUsage, expr: `max by (${c.by(c.ns, c.team, 'app_id', 'app_name', 'role')}) (${R.podLimitUsage})` },
      // Over the pods' own history, so executors that have since ended (OOMKilled ones above all) count.
      { record: R.limitUsagePeak, expr: `max by (${c.by(c.ns, c.team, 'app_id', 'app_name', 'role')}) (max_over_time(${R.podLimitUsage}[${w.memory}]))` },
      // What the container holds beyond the heap today (limit − heap; includes PySpark and off-heap memory if set).
      { record: R.overheadCurrent, expr: `${d(x('spark_k8s_executor_memory_limit_bytes'))}\n- on (${appLabels(c)})\n${d(x('spark_k8s_executor_heap_bytes'))}` },
      {
        // Highest executor working set × (1 + margin) − heap, in whole MiB, never below Spark's floor.
        record: R.overheadRecommended,
        expr:
          `clamp_min(\n  ceil(\n    (\n      max by (${appLabels(c)}) (max_over_time(${R.podWorkingSet}{role="executor"}[${w.memory}])) * (1 + ${a.memoryOverheadMargin})\n` +
          `      - on (${appLabels(c)})\n      ${d(x('spark_k8s_executor_heap_bytes'))}\n    ) / ${MIB}\n  ) * ${MIB},\n  ${a.memoryOverheadMinMiB} * ${MIB}\n)`,
      },
    ];
  },
  alerts: [
    {
      name: 'SparkExecutorMemoryNearLimit',
      expr: ({ R, thr }) => `${R.limitUsage}{role="executor"} ${thr('memoryNearLimitRatio', '>')}`,
      for: '5m',
      severity: 'warning',
      summary: 'Spark executors are close to their memory limit; the OOM killer is next.',
      description: (c) =>
        `The busiest executor of ${c.appWhere} uses {{ $value | humanizePercentage }} of its container memory limit; at the limit the kernel OOM killer ends it and its tasks are retried. Set spark.executor.memoryOverhead to ${recommendedMiB(c)} (the highest working set of the last ${c.w.memory} plus ${scale(c.cfg.advice.memoryOverheadMargin, 100)}%, minus the heap).`,
      runbook: 'sparkexecutormemorynearlimit.md',
    },
    {
      name: 'SparkDriverMemoryNearLimit',
      expr: ({ R, thr }) => `${R.limitUsage}{role="driver"} ${thr('memoryNearLimitRatio', '>')}`,
      for: '5m',
      severity: 'critical',
      summary: 'A Spark driver is close to its memory limit; an OOMKill would fail the application.',
      description: ({ appWhere }) =>
        `The driver of ${appWhere} uses {{ $value | humanizePercentage }} of its container memory limit; a driver OOMKill fails the whole application. Raise spark.driver.memoryOverhead (off-heap, Python) or spark.driver.memory (heap, large collects and broadcasts).`,
      runbook: 'sparkdrivermemorynearlimit.md',
    },
  ],
});
