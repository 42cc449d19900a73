/**
 * `Spark on Kubernetes / Applications`: the SparkApplication lifecycle of both operators:
 * applications by state, stuck ones with their age and driver, final failures by reason, retries,
 * and ScheduledSparkApplications with their last and next runs.
 */
import { stuckApplications } from '../alerts/applications.js';
import type { BundleConfig } from '../config.js';
import { dedup, sel } from '../promql.js';
import { recordNames } from '../rules.js';
import { filters, rising, RED, type DashboardSpec } from './spec.js';

export function applicationsDashboard(cfg: BundleConfig): DashboardSpec {
  const R = recordNames(cfg);
  const f = filters(cfg);
  const x = cfg.exporterSelector;
  const d = (e: string) => dedup(cfg.haLabels, e);
  const ns = cfg.namespaceLabel;
  const k = [cfg.clusterLabel, ns, 'app_name', 'operator'].join(', ');
  const driver = `0 * topk by (${k}) (1, ${d(sel('spark_k8s_application_driver_status', x, f.app))})`;
  const schedule = (metric: string) => d(sel(metric, x, f.nsTeam));
  const failures = sel('spark_k8s_application_failures_total', x, f.app);
  return {
    slug: 'applications',
    title: 'Applications',
    description: 'SparkApplications of the kubeflow spark-operator and the Apache spark-kubernetes-operator: states, stuck applications and their drivers, final failures by reason, retries, and ScheduledSparkApplications.',
    variables: ['datasource', 'cluster', 'namespace', 'team', 'app'],
    variableSource: 'spark_k8s_applications',
    rows: [
      {
        title: 'States',
        panels: [
          {
            kind: 'timeseries',
            title: 'Applications by state and operator',
            description: 'SparkApplication objects by state as their operator spells it (kubeflow UPPER_CASE, Apache CamelCase); NEW for objects no operator has picked up yet.',
            unit: 'short',
            thresholds: rising(Number.MAX_SAFE_INTEGER),
            min: 0,
            stack: true,
            queries: [{ expr: `sum by (operator, state) (${d(sel('spark_k8s_applications', x, f.nsTeam))})`, legend: '{{operator}} {{state}}' }],
            width: 12,
            height: 8,
          },
          {
            kind: 'table',
            title: 'Stuck applications',
            description: 'Applications longer in a non-terminal state than its SparkApplicationStuck threshold, with the time in that state and what the driver pod is doing (image_pull, unschedulable, none = no driver pod, running, ended).',
            unit: 's',
            thresholds: rising(600, 1800),
            queries: [
              {
                expr: `sort_desc(\n${stuckApplications(cfg, f.app)}\n+ on(${k}) group_left(driver_status)\n(\n  ${driver}\n  or on(${k})\n  label_replace(0 * group by (${k}) (${sel('spark_k8s_application_state_seconds', x, f.app)}), "driver_status", "unknown", "", "")\n)\n)`,
                instant: true,
                format: 'table',
              },
            ],
            width: 12,
            height: 8,
          },
        ],
      },
      {
        title: 'Failures and retries',
        panels: [
          {
            kind: 'timeseries',
            title: 'Final failures by reason',
            description: `Applications that ended failed for good in the last ${cfg.windows.events}, by reason: the driver pod as the exporter saw it end (driver_oom_killed, driver_evicted, driver_preempted, driver_error, image_pull), else the status' error message (submission_failed, unknown).`,
            unit: 'short',
            thresholds: rising(1),
            min: 0,
            stack: true,
            queries: [{ expr: `sum by (reason) (${R.appFailures}{${f.app}})`, legend: '{{reason}}' }],
            width: 8,
            height: 8,
          },
          {
            kind: 'table',
            title: 'Failed applications',
            description: 'Final failures per application over the dashboard range (a failure series appearing within it counts with its value), with the failed state and reason.',
            unit: 'short',
            thresholds: rising(1),
            // A failure series is born at 1: increase() alone would miss an application's first failure.
            queries: [{ expr: `sort_desc(${d(`(increase(${failures}[$__range]) > 0) or (${failures} unless ${failures} offset $__range)`)})`, instant: true, format: 'table' }],
            width: 8,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'Retries by application',
            description: `Failed attempts the operator retried in the last ${cfg.windows.events} (restart policy OnFailure/Always): retries that end in success are not failures, but cost a run each.`,
            unit: 'short',
            thresholds: rising(1),
            min: 0,
            queries: [{ expr: `${R.appRetries}{${f.app}}`, legend: '{{' + ns + '}} {{app_name}}' }],
            width: 8,
            height: 8,
          },
        ],
      },
      {
        title: 'Schedules',
        panels: [
          {
            kind: 'table',
            title: 'Next run due in',
            description: 'Seconds until each ScheduledSparkApplication\'s next run (status.nextRun); negative when the run is overdue (SparkScheduledApplicationMissedRun after the grace).',
            unit: 's',
            thresholds: [
              { value: null, color: RED },
              { value: 0, color: 'green' },
            ],
            queries: [{ expr: `${schedule('spark_k8s_scheduled_application_next_run_timestamp_seconds')} - time()`, instant: true, format: 'table' }],
            width: 6,
            height: 8,
          },
          {
            kind: 'table',
            title: 'Time since last run',
            description: 'Seconds since each ScheduledSparkApplication last started a run (status.lastRun).',
            unit: 's',
            thresholds: rising(Number.MAX_SAFE_INTEGER),
            queries: [{ expr: `time() - ${schedule('spark_k8s_scheduled_application_last_run_timestamp_seconds')}`, instant: true, format: 'table' }],
            width: 6,
            height: 8,
          },
          {
            kind: 'table',
            title: 'Time since last success',
            description: 'Seconds since the latest COMPLETED run of each schedule finished, where the exporter knows it.',
            unit: 's',
            thresholds: rising(Number.MAX_SAFE_INTEGER),
            queries: [{ expr: `time() - ${schedule('spark_k8s_scheduled_application_last_success_timestamp_seconds')}`, instant: true, format: 'table' }],
            width: 6,
            height: 8,
          },
          {
            kind: 'table',
            title: 'Last run state and suspended schedules',
            description: 'The state of the run each schedule started last (run_name, state), and 1 for suspended schedules.',
            unit: 'short',
            thresholds: rising(Number.MAX_SAFE_INTEGER),
            queries: [
              { expr: schedule('spark_k8s_scheduled_application_last_run_state'), instant: true, format: 'table' },
              { expr: `${schedule('spark_k8s_scheduled_application_suspended')} == 1`, instant: true, format: 'table' },
            ],
            width: 6,
            height: 8,
          },
        ],
      },
    ],
  };
}
