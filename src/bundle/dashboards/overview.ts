/** `Spark on Kubernetes / Overview`: every namespace and team at a glance, and who the worst offenders are. */
import type { BundleConfig } from '../config.js';
import { dedup, sel } from '../promql.js';
import { recordNames } from '../rules.js';
import { div, scale } from '../tunable.js';
import { falling, filters, rising, type DashboardSpec } from './spec.js';

export function overviewDashboard(cfg: BundleConfig): DashboardSpec {
  const R = recordNames(cfg);
  const f = filters(cfg);
  const x = cfg.exporterSelector;
  const t = cfg.thresholds;
  const d = (e: string) => dedup(cfg.haLabels, e);
  const ns = cfg.namespaceLabel;
  const team = cfg.teamLabel;
  return {
    slug: 'overview',
    title: 'Overview',
    description: 'Pending executors, OOMKills, memory headroom, executor churn, quota saturation and application states across namespaces and teams.',
    variables: ['datasource', 'cluster', 'namespace', 'team', 'app'],
    variableSource: 'spark_k8s_pods',
    rows: [
      {
        title: 'Executors',
        panels: [
          {
            kind: 'timeseries',
            title: 'Pending executors by namespace and reason',
            description: 'Executor pods waiting to run, by why: unschedulable (no node fits), scheduling_gated, image_pull, container_creating, config_error, other.',
            unit: 'short',
            thresholds: rising(1),
            stack: true,
            min: 0,
            queries: [{ expr: `sum by (${ns}, reason) (${R.pending}{${f.app}})`, legend: '{{' + ns + '}} {{reason}}' }],
            width: 12,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'Oldest pending executor',
            description: 'Age of the oldest pending executor per application (top 10). Red from the SparkExecutorsPendingTooLong threshold.',
            unit: 's',
            thresholds: rising(div(t.executorPendingAgeSeconds, 2), t.executorPendingAgeSeconds),
            min: 0,
            queries: [
              {
                expr: `topk(10, ${d(sel('spark_k8s_executor_pending_oldest_age_seconds', x, f.app))})`,
                legend: '{{' + ns + '}}/{{app_name}}',
              },
            ],
            width: 12,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'OOMKills by team and application',
            description: `Containers of Spark pods killed by the kernel OOM killer in the last ${cfg.windows.events}, by team, application and role. Executor OOMs retry tasks; a driver OOM fails the application.`,
            unit: 'short',
            thresholds: rising(1),
            min: 0,
            queries: [{ expr: `sum by (${team}, app_name, role) (${R.oomKills}{${f.app}})`, legend: '{{' + team + '}} {{app_name}} {{role}}' }],
            width: 12,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'Executor exits by reason',
            description: `Executors that ended in the last ${cfg.windows.events}, by reason (completed, oom_killed, error, evicted, preempted, deleted).`,
            unit: 'short',
            thresholds: rising(1),
            stack: true,
            min: 0,
            queries: [{ expr: `sum by (reason) (${R.exits}{${f.app}})`, legend: '{{reason}}' }],
            width: 12,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'Executor churn',
            description: 'Executors ended per minute, per application (top 10). Steady high churn with short lifetimes means the dynamic allocation idle timeout is too aggressive.',
            unit: 'opm',
            thresholds: rising(5, 20),
            min: 0,
            queries: [
              {
                expr: `topk(10, ${d(sel('spark_k8s_executor_churn_per_minute', x, f.app))})`,
                legend: '{{' + ns + '}}/{{app_name}}',
              },
            ],
            width: 12,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'Average executor lifetime',
            description: `Mean lifetime of executors that ended in the last ${cfg.windows.churn}. Red under ${t.executorLifetimeChurnSeconds}s: pod startup overhead dominates (SparkExecutorChurnHigh).`,
            unit: 's',
            thresholds: falling(t.executorLifetimeChurnSeconds),
            min: 0,
            queries: [{ expr: `${R.lifetimeMean}{${f.app}}`, legend: '{{' + ns + '}}/{{app_name}}' }],
            width: 24,
            height: 8,
          },
        ],
      },
      {
        title: 'Drivers',
        panels: [
          {
            kind: 'timeseries',
            title: 'Drivers lost to preemption or eviction',
            description: `Driver pods that ended in the last ${cfg.windows.events} because their node was reclaimed (preempted) or they were evicted: each one failed its whole application (SparkDriverPreempted).`,
            unit: 'short',
            thresholds: rising(1),
            min: 0,
            queries: [{ expr: `sum by (${ns}, app_name, reason) (${R.driverExits}{${f.app}, reason=~"preempted|evicted"})`, legend: '{{' + ns + '}}/{{app_name}} {{reason}}' }],
            width: 12,
            height: 8,
          },
          {
            kind: 'table',
            title: 'Drivers on spot capacity',
            description: 'Running drivers that tolerate or select spot/preemptible nodes (read from the pod spec): a reclaim of their node fails the application (SparkDriverOnSpotCapacity).',
            unit: 'short',
            thresholds: rising(1),
            queries: [{ expr: `${d(sel('spark_k8s_driver_spot_eligible', x, f.app))} == 1`, legend: '{{' + ns + '}}/{{app_name}}', instant: true }],
            width: 12,
            height: 8,
          },
        ],
      },
      {
        title: 'Quotas and applications',
        panels: [
          {
            kind: 'bargauge',
            title: 'Quota saturation heat',
            description: `ResourceQuota used / hard per namespace and resource (quotas with hard > 0). Orange from ${scale(t.quotaNearlyFullRatio, 100)}% (SparkNamespaceQuotaNearlyFull), red when exhausted.`,
            unit: 'percentunit',
            thresholds: rising(t.quotaNearlyFullRatio, 1),
            min: 0,
            max: 1,
            queries: [{ expr: `max by (${ns}, resource) (${R.quotaSaturation}{${f.nsTeam}})`, legend: '{{' + ns + '}} {{resource}}', instant: true }],
            width: 12,
            height: 10,
          },
          {
            kind: 'timeseries',
            title: 'SparkApplications by state',
            description: 'SparkApplication objects (spark-operator) by application state as the operator spells it; NEW for not yet submitted.',
            unit: 'short',
            thresholds: rising(1),
            stack: true,
            min: 0,
            queries: [{ expr: `sum by (state) (${d(sel('spark_k8s_applications', x, f.nsTeam))})`, legend: '{{state}}' }],
            width: 12,
            height: 10,
          },
        ],
      },
      {
        title: 'Top offenders',
        panels: [
          {
            kind: 'table',
            title: 'Top applications by pending executors',
            description: 'Applications with the most executors pending now.',
            unit: 'short',
            thresholds: rising(1, 10),
            queries: [{ expr: `topk(10, sum by (${ns}, ${team}, app_name) (${R.pending}{${f.app}}))`, instant: true, format: 'table' }],
            width: 8,
            height: 9,
          },
          {
            kind: 'table',
            title: 'Top applications by OOMKills',
            description: 'Applications whose containers the OOM killer hit most, over the lifetime of their series.',
            unit: 'short',
            thresholds: rising(1, 5),
            queries: [
              {
                expr: `topk(10, sum by (${ns}, ${team}, app_name) (${d(sel('spark_k8s_container_oom_kills_total', x, f.app))}))`,
                instant: true,
                format: 'table',
              },
            ],
            width: 8,
            height: 9,
          },
          {
            kind: 'table',
            title: 'Top applications by executor churn',
            description: 'Applications ending the most executors per minute now.',
            unit: 'opm',
            thresholds: rising(5, 20),
            queries: [
              {
                expr: `topk(10, ${d(sel('spark_k8s_executor_churn_per_minute', x, f.app))})`,
                instant: true,
                format: 'table',
              },
            ],
            width: 8,
            height: 9,
          },
          {
            kind: 'bargauge',
            title: 'Applications closest to their memory limit',
            description: `Highest working set over memory limit among each application's containers now (cAdvisor), by role. Orange from ${scale(t.memoryNearLimitRatio, 100)}% (SparkExecutorMemoryNearLimit, SparkDriverMemoryNearLimit); the OOM killer acts at 100%.`,
            unit: 'percentunit',
            thresholds: rising(t.memoryNearLimitRatio, 1),
            min: 0,
            max: 1,
            queries: [{ expr: `topk(10, ${R.limitUsage}{${f.app}})`, legend: '{{' + ns + '}}/{{app_name}} {{role}}', instant: true }],
            width: 24,
            height: 8,
          },
        ],
      },
    ],
  };
}
