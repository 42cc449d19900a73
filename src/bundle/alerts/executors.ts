/**
 * Executor and driver pods: pending, exits, OOMKills, churn, rejected creates, memory overhead,
 * spot placement, and the dynamic-allocation advice (dynamic-allocation.ts, which reads the churn
 * recordings). Drivers share this group because their alerts read the same exit and OOMKill
 * recordings, and a recording must live in the group of the alerts reading it (see RuleArea).
 */
import type { Windows } from '../config.js';
import { dynamicAllocationAlerts, dynamicAllocationRecords } from './dynamic-allocation.js';
import { defineArea, type RecordingRule, type RuleContext } from './spec.js';

export function executorRecordNames(w: Windows) {
  return {
    pending: 'namespace_team_app_reason:spark_k8s_executors_pending:max',
    pendingByNamespace: 'namespace_reason:spark_k8s_executors_pending:sum',
    exits: `namespace_team_app_reason:spark_k8s_executor_exits:increase${w.events}`,
    oomKills: `namespace_team_app_role:spark_k8s_container_oom_kills:increase${w.events}`,
    skipped: `namespace_team_app:spark_k8s_executor_ids_skipped:increase${w.events}`,
    driverExits: `namespace_team_app_reason:spark_k8s_driver_exits:increase${w.events}`,
    lifetimeMean: `namespace_team_app:spark_k8s_executor_lifetime_seconds:mean${w.churn}`,
    lifetimeExits: `namespace_team_app:spark_k8s_executor_lifetime_seconds_count:increase${w.churn}`,
  } as const;
}

export const executors = defineArea({
  group: 'spark-k8s-exporter.executors',
  records: (c) => [...executorRecords(c), ...dynamicAllocationRecords(c)],
  alerts: [
    {
      name: 'SparkExecutorsPendingTooLong',
      expr: ({ d, x, thr }) => `${d(x('spark_k8s_executor_pending_oldest_age_seconds'))} ${thr('executorPendingAgeSeconds', '>=')}`,
      for: '5m',
      severity: 'warning',
      summary: 'Spark executors have been pending for too long.',
      description: ({ appWhere }) =>
        `The oldest pending executor of ${appWhere} has waited {{ $value | humanizeDuration }} for a node; the application runs with fewer executors than it asked for.`,
      runbook: 'sparkexecutorspendingtoolong.md',
    },
    {
      name: 'SparkExecutorOOMKilled',
      expr: ({ R }) => `${R.exits}{reason="oom_killed"} > 0`,
      for: '0m',
      severity: 'warning',
      summary: 'Spark executors were OOMKilled.',
      description: ({ appWhere, w }) =>
        `{{ $value | printf "%.0f" }} executor(s) of ${appWhere} were killed by the kernel OOM killer in the last ${w.events}: the container memory limit (heap + memoryOverhead) is too small.`,
      runbook: 'sparkexecutoroomkilled.md',
    },
    {
      name: 'SparkDriverOOMKilled',
      expr: ({ R }) => `${R.oomKills}{role="driver"} > 0`,
      for: '0m',
      severity: 'critical',
      summary: 'A Spark driver was OOMKilled.',
      description: ({ appWhere, w }) =>
        `The driver container {{ $labels.container }} of ${appWhere} was killed by the kernel OOM killer in the last ${w.events}; the whole application fails with it.`,
      runbook: 'sparkdriveroomkilled.md',
    },
    {
      name: 'SparkDriverPreempted',
      expr: ({ R }) => `${R.driverExits}{reason=~"preempted|evicted"} > 0`,
      for: '0m',
      severity: 'critical',
      summary: 'A Spark driver was preempted or evicted.',
      description: ({ appWhere, w }) =>
        `The driver of ${appWhere} ended because its node was reclaimed or it was evicted ({{ $labels.reason }}) in the last ${w.events}; the whole application failed with it. Keep drivers on on-demand capacity.`,
      runbook: 'sparkdriverpreempted.md',
    },
    {
      name: 'SparkDriverOnSpotCapacity',
      expr: ({ d, x }) => `${d(x('spark_k8s_driver_spot_eligible'))} == 1`,
      for: '15m',
      severity: 'warning',
      summary: 'A Spark driver may run on spot capacity.',
      description: ({ appWhere }) =>
        `The driver of ${appWhere} tolerates or selects spot/preemptible nodes; a reclaim there fails the whole application, not one executor. Pin drivers to on-demand nodes.`,
      runbook: 'sparkdriveronspotcapacity.md',
    },
    {
      name: 'SparkExecutorChurnHigh',
      expr: ({ R, thr }) => `${R.lifetimeMean} ${thr('executorLifetimeChurnSeconds', '<')}\nand\n${R.lifetimeExits} ${thr('churnMinExits', '>=')}`,
      for: '10m',
      severity: 'warning',
      summary: 'Spark executors live too briefly (executor churn).',
      description: ({ ns, team, w }) =>
        `Executors of {{ $labels.app_name }} in namespace {{ $labels.${ns} }} (team {{ $labels.${team} }}) lived {{ $value | humanizeDuration }} on average over the last ${w.churn}; pod startup overhead dominates. Raise spark.dynamicAllocation.executorIdleTimeout.`,
      runbook: 'sparkexecutorchurnhigh.md',
    },
    {
      name: 'SparkExecutorImagePullBackOff',
      expr: ({ R }) => `${R.pending}{reason="image_pull"} > 0`,
      for: '5m',
      severity: 'warning',
      summary: 'Spark executors cannot pull their image.',
      description: ({ appWhere }) =>
        `{{ $value | printf "%.0f" }} executor(s) of ${appWhere} are stuck pulling their container image (ErrImagePull / ImagePullBackOff).`,
      runbook: 'sparkexecutorimagepullbackoff.md',
    },
    {
      name: 'SparkExecutorMemoryOverheadLow',
      expr: ({ d, x, thr }) => `${d(x('spark_k8s_executor_memory_overhead_ratio'))} ${thr('memoryOverheadMinRatio', '<')}`,
      for: '15m',
      severity: 'info',
      summary: 'Spark executor memory overhead is low; OOMKills are likely.',
      description: ({ appWhere }) =>
        `Executors of ${appWhere} reserve only {{ $value | humanizePercentage }} of the heap for off-heap memory (spark.executor.memoryOverhead); workloads with Python UDFs, Arrow or large broadcasts routinely need 20-30%.`,
      runbook: 'sparkexecutormemoryoverheadlow.md',
    },
    {
      name: 'SparkExecutorCreatesRejected',
      expr: ({ R }) => `${R.skipped} > 0`,
      for: '5m',
      severity: 'warning',
      summary: 'Spark executor pod creations are being rejected.',
      description: ({ appWhere, w }) =>
        `{{ $value | printf "%.0f" }} executor pod create(s) by the driver of ${appWhere} were rejected in the last ${w.events}, usually because a ResourceQuota is exhausted: executor ids that never appeared as pods. ` +
        `The driver takes a new id for every retry, so a quota full for minutes burns thousands; they are counted once a later executor appears.`,
      runbook: 'sparkexecutorcreatesrejected.md',
    },
    ...dynamicAllocationAlerts,
  ],
});

function executorRecords({ R, x, d, by, ns, w, recentEvents }: RuleContext): RecordingRule[] {
  return [
    { record: R.pending, expr: d(x('spark_k8s_executors_pending')) },
    { record: R.pendingByNamespace, expr: `sum by (${by(ns, 'reason')}) (${R.pending})` },
    // Exit series exist at 0 from the app's first sighting, so plain increase() sees the first exit.
    { record: R.exits, expr: d(`increase(${x('spark_k8s_executor_exits_total')}[${w.events}])`) },
    { record: R.oomKills, expr: recentEvents('spark_k8s_container_oom_kills_total') },
    // Driver exit series exist at 0 from the driver's first sighting, like the executors'.
    { record: R.driverExits, expr: d(`increase(${x('spark_k8s_driver_exits_total')}[${w.events}])`) },
    { record: R.skipped, expr: recentEvents('spark_k8s_executor_ids_skipped_total') },
    {
      record: R.lifetimeMean,
      expr:
        `${d(`rate(${x('spark_k8s_executor_lifetime_seconds_sum')}[${w.churn}])`)}\n/\n` +
        `${d(`rate(${x('spark_k8s_executor_lifetime_seconds_count')}[${w.churn}])`)}`,
    },
    { record: R.lifetimeExits, expr: d(`increase(${x('spark_k8s_executor_lifetime_seconds_count')}[${w.churn}])`) },
  ];
}
