/** SparkApplication objects (the operator's CRD): failures. */
import type { Windows } from '../config.js';
import { defineArea } from './spec.js';

export function applicationRecordNames(w: Windows) {
  return {
    appFailures: `namespace_team_app_state:spark_k8s_application_failures:increase${w.events}`,
  } as const;
}

export const applications = defineArea({
  group: 'spark-k8s-exporter.applications',
  records: ({ R, recentEvents }) => [{ record: R.appFailures, expr: recentEvents('spark_k8s_application_failures_total') }],
  alerts: [
    {
      name: 'SparkApplicationFailed',
      expr: ({ R }) => `${R.appFailures} > 0`,
      for: '0m',
      severity: 'warning',
      summary: 'A SparkApplication failed.',
      description: ({ ns, team, w }) =>
        `SparkApplication {{ $labels.app_name }} in namespace {{ $labels.${ns} }} (team {{ $labels.${team} }}) entered {{ $labels.state }} in the last ${w.events}.`,
      runbook: 'sparkapplicationfailed.md',
    },
  ],
});
