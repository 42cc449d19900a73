/**
 * SparkApplication objects of both operators and kubeflow's ScheduledSparkApplications: final
 * failures with their reason, retries, applications stuck in a state, and schedules whose last
 * run failed or whose runs do not happen.
 */
import type { BundleConfig, Windows } from '../config.js';
import { dedup, sel } from '../promql.js';
import { hasSym } from '../tunable.js';
import { defineArea } from './spec.js';

export function applicationRecordNames(w: Windows) {
  return {
    appFailures: `namespace_team_app_state:spark_k8s_application_failures:increase${w.events}`,
    appRetries: `namespace_team_app:spark_k8s_application_retries:increase${w.events}`,
  } as const;
}

/**
 * Applications past their state's threshold. One `label_replace(vector(N), "state", S, ...)` per
 * state, so each state's literal is unique in the expression and the chart can tune it alone.
 */
export function stuckApplications(cfg: BundleConfig, extra = '', record: (key: string, value: number, text: string) => string = (_k, _v, t) => t): string {
  const limits = Object.entries(cfg.applicationStuckSeconds)
    // A placeholder (the mixin's symbolic config) stands for a jsonnet-tunable number: kept.
    .filter(([, seconds]) => hasSym(seconds) || seconds > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([state, seconds]) => record(`applicationStuckSeconds_${state}`, seconds, `label_replace(vector(${seconds}), "state", "${state}", "", "")`));
  if (limits.length === 0) return '(vector(0) < 0)';
  const ages = dedup(cfg.haLabels, sel('spark_k8s_application_state_seconds', cfg.exporterSelector, ...(extra ? [extra] : [])));
  return `(\n  ${ages}\n  > on(state) group_left()\n  (\n    ${limits.join('\n    or ')}\n  )\n)`;
}

/** The description's driver clause, in the words users search for. */
const DRIVER_CLAUSE =
  '{{ if eq $labels.driver_status "image_pull" }}; driver ImagePullBackOff (its image cannot be pulled)' +
  '{{ else if eq $labels.driver_status "unschedulable" }}; driver unschedulable (no node fits it)' +
  '{{ else if eq $labels.driver_status "none" }}; no driver pod' +
  '{{ else if eq $labels.driver_status "unknown" }}' +
  '{{ else }}; driver {{ $labels.driver_status }}{{ end }}';

export const applications = defineArea({
  group: 'spark-k8s-exporter.applications',
  records: ({ R, recentEvents }) => [
    { record: R.appFailures, expr: recentEvents('spark_k8s_application_failures_total') },
    { record: R.appRetries, expr: recentEvents('spark_k8s_application_retries_total') },
  ],
  alerts: [
    {
      name: 'SparkApplicationFailed',
      expr: ({ R }) => `${R.appFailures} > 0`,
      for: '0m',
      severity: 'warning',
      summary: 'A SparkApplication failed.',
      description: ({ ns, team, w }) =>
        `SparkApplication {{ $labels.app_name }} ({{ $labels.operator }} operator) in namespace {{ $labels.${ns} }} (team {{ $labels.${team} }}) ended failed for good in the last ${w.events}: {{ $labels.state }}, reason {{ $labels.reason }}.`,
      runbook: 'sparkapplicationfailed.md',
    },
    {
      name: 'SparkApplicationStuck',
      // The driver's status joins on the application (one per app: topk), or "unknown" when the
      // exporter has none for it, so a missing driver series never hides a stuck application.
      expr: (c) => {
        const k = c.by(c.ns, 'app_name', 'operator');
        return (
          `${stuckApplications(c.cfg, '', c.thrText)}\n+ on(${k}) group_left(driver_status)\n(\n` +
          `  0 * topk by (${k}) (1, ${c.d(c.x('spark_k8s_application_driver_status'))})\n` +
          `  or on(${k})\n` +
          `  label_replace(0 * group by (${k}) (${c.x('spark_k8s_application_state_seconds')}), "driver_status", "unknown", "", "")\n)`
        );
      },
      for: '2m',
      severity: 'warning',
      summary: 'A SparkApplication is stuck in a state.',
      description: ({ ns, team }) =>
        `SparkApplication {{ $labels.app_name }} ({{ $labels.operator }} operator) in namespace {{ $labels.${ns} }} (team {{ $labels.${team} }}) has been {{ $labels.state }} for {{ $value | humanizeDuration }}${DRIVER_CLAUSE}.`,
      runbook: 'sparkapplicationstuck.md',
    },
    {
      name: 'SparkScheduledApplicationRunFailed',
      expr: ({ d, x }) => `${d(x('spark_k8s_scheduled_application_last_run_state', 'state="FAILED"'))} == 1`,
      for: '0m',
      severity: 'warning',
      summary: 'The last run of a ScheduledSparkApplication failed.',
      description: ({ ns, team }) =>
        `The last run {{ $labels.run_name }} of ScheduledSparkApplication {{ $labels.scheduled_app }} in namespace {{ $labels.${ns} }} (team {{ $labels.${team} }}) failed; the next run starts on schedule and may fail the same way.`,
      runbook: 'sparkscheduledapplicationrunfailed.md',
    },
    {
      name: 'SparkScheduledApplicationMissedRun',
      expr: ({ d, x, by, ns, thr }) => {
        const next = d(x('spark_k8s_scheduled_application_next_run_timestamp_seconds'));
        const last = d(x('spark_k8s_scheduled_application_last_run_timestamp_seconds'));
        const success = d(x('spark_k8s_scheduled_application_last_success_timestamp_seconds'));
        return (
          `(\n  label_replace(time() - ${next} ${thr('scheduledRunGraceSeconds', '>')}, "missed", "next_run_overdue", "", "")\n` +
          `  or\n  label_replace(time() - ${success} ${thr('scheduledRunSuccessPeriods', '>')} * (${next} - ${last}), "missed", "no_recent_success", "", "")\n)\n` +
          `unless on(${by(ns, 'scheduled_app')}) (${d(x('spark_k8s_scheduled_application_suspended'))} == 1)`
        );
      },
      for: '5m',
      severity: 'warning',
      summary: 'A ScheduledSparkApplication is not running on schedule.',
      description: ({ ns, team }) =>
        `ScheduledSparkApplication {{ $labels.scheduled_app }} in namespace {{ $labels.${ns} }} (team {{ $labels.${team} }}) ` +
        '{{ if eq $labels.missed "next_run_overdue" }}did not start its run due {{ $value | humanizeDuration }} ago{{ else }}has had no successful run for {{ $value | humanizeDuration }}, more than its schedule allows{{ end }}.',
      runbook: 'sparkscheduledapplicationmissedrun.md',
    },
  ],
});
