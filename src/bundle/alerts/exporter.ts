/**
 * The exporter's own health. These alerts deliberately keep `instance` (no HA dedup): a stalled
 * replica is a real, separate problem.
 */
import { defineArea } from './spec.js';

export const exporter = defineArea({
  group: 'spark-k8s-exporter.exporter',
  records: () => [],
  alerts: [
    {
      name: 'SparkK8sExporterDown',
      expr: ({ x }) => `${x('up')} == 0\nor\nabsent(${x('up')})`,
      for: '5m',
      severity: 'critical',
      summary: 'The Spark Kubernetes exporter is down.',
      description: () =>
        'Prometheus cannot scrape the exporter{{ with $labels.instance }} {{ . }}{{ end }} (job {{ $labels.job }}): Spark executor, OOMKill and quota alerts are blind.',
      runbook: 'sparkk8sexporterdown.md',
    },
    {
      name: 'SparkK8sExporterWatchStalled',
      expr: ({ x, thr }) => `time() - ${x('spark_k8s_exporter_last_event_timestamp_seconds')} ${thr('watchStalledSeconds', '>')}`,
      for: '5m',
      severity: 'warning',
      summary: 'The Spark Kubernetes exporter stopped receiving watch events.',
      description: () =>
        'The exporter {{ $labels.instance }} has received no watch event or bookmark for {{ $labels.resource }} for {{ $value | humanizeDuration }}; its metrics may be stale.',
      runbook: 'sparkk8sexporterwatchstalled.md',
    },
    {
      name: 'SparkK8sExporterNotSynced',
      expr: ({ x }) => `${x('spark_k8s_exporter_synced')} == 0`,
      for: '10m',
      severity: 'warning',
      summary: 'The Spark Kubernetes exporter has not synced.',
      description: () =>
        'The exporter {{ $labels.instance }} has not completed its initial list and watch of {{ $labels.resource }}; its metrics are incomplete.',
      runbook: 'sparkk8sexporternotsynced.md',
    },
  ],
});
