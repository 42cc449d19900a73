/** `Spark on Kubernetes / Exporter`: is the exporter itself healthy and current. */
import type { BundleConfig } from '../config.js';
import { sel } from '../promql.js';
import { div } from '../tunable.js';
import { falling, filters, rising, type DashboardSpec } from './spec.js';

export function exporterDashboard(cfg: BundleConfig): DashboardSpec {
  const f = filters(cfg);
  const s = (metric: string, ...extra: string[]) => sel(metric, cfg.exporterSelector, f.instance, ...extra);
  const t = cfg.thresholds;
  return {
    slug: 'exporter',
    title: 'Exporter',
    description: 'Health of spark-k8s-exporter: scrape status, watch sync, events, restarts, lists, render and scrape duration, resources.',
    variables: ['datasource', 'cluster', 'instance'],
    variableSource: 'spark_k8s_pods',
    rows: [
      {
        title: 'Sync',
        panels: [
          {
            kind: 'stat',
            title: 'Up',
            description: 'Whether Prometheus scrapes each exporter instance (1 = up).',
            unit: 'short',
            thresholds: falling(1),
            queries: [{ expr: s('up'), legend: '{{instance}}' }],
            width: 6,
            height: 6,
          },
          {
            kind: 'stat',
            title: 'Watches synced',
            description: '1 when the resource\'s initial list completed and its watch is live; 0 means metrics for it are incomplete.',
            unit: 'short',
            thresholds: falling(1),
            queries: [{ expr: s('spark_k8s_exporter_synced'), legend: '{{instance}} {{resource}}' }],
            width: 6,
            height: 6,
          },
          {
            kind: 'timeseries',
            title: 'Time since last watch event',
            description: `Seconds since the last watch event or bookmark per resource. Red from ${t.watchStalledSeconds}s (SparkK8sExporterWatchStalled).`,
            unit: 's',
            thresholds: rising(div(t.watchStalledSeconds, 2), t.watchStalledSeconds),
            min: 0,
            queries: [{ expr: `time() - ${s('spark_k8s_exporter_last_event_timestamp_seconds')}`, legend: '{{instance}} {{resource}}' }],
            width: 12,
            height: 6,
          },
          {
            kind: 'timeseries',
            title: 'Watch events',
            description: 'Watch events per second by resource and type (ADDED, MODIFIED, DELETED, BOOKMARK).',
            unit: 'ops',
            thresholds: rising(1000),
            min: 0,
            queries: [{ expr: `sum by (instance, resource, type) (rate(${s('spark_k8s_exporter_watch_events_total')}[$__rate_interval]))`, legend: '{{instance}} {{resource}} {{type}}' }],
            width: 12,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'Watch restarts and lists',
            description: 'Watch restarts by reason (e.g. 410 Gone, timeouts) and full lists by result; steady restarts or failed lists mean API trouble.',
            unit: 'short',
            thresholds: rising(1, 10),
            min: 0,
            queries: [
              { expr: `sum by (instance, resource, reason) (increase(${s('spark_k8s_exporter_watch_restarts_total')}[$__rate_interval]))`, legend: 'restart {{instance}} {{resource}} {{reason}}' },
              { expr: `sum by (instance, resource, result) (increase(${s('spark_k8s_exporter_list_total')}[$__rate_interval]))`, legend: 'list {{instance}} {{resource}} {{result}}' },
            ],
            width: 12,
            height: 8,
          },
        ],
      },
      {
        title: 'Cost',
        panels: [
          {
            kind: 'timeseries',
            title: 'Metrics render duration',
            description: 'p50 and p99 time to render /metrics. Approaching the scrape timeout means too many series for one instance: shard.',
            unit: 's',
            thresholds: rising(0.5, 2),
            min: 0,
            queries: [
              { expr: `histogram_quantile(0.5, sum by (le, instance) (rate(${s('spark_k8s_exporter_metrics_render_seconds_bucket')}[$__rate_interval])))`, legend: 'p50 {{instance}}' },
              { expr: `histogram_quantile(0.99, sum by (le, instance) (rate(${s('spark_k8s_exporter_metrics_render_seconds_bucket')}[$__rate_interval])))`, legend: 'p99 {{instance}}' },
            ],
            width: 12,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'Scrape duration and samples',
            description: 'How long Prometheus takes to scrape the exporter, and how many samples it gets.',
            unit: 's',
            thresholds: rising(5, 10),
            min: 0,
            queries: [
              { expr: s('scrape_duration_seconds'), legend: 'duration {{instance}}' },
              { expr: s('scrape_samples_scraped'), legend: 'samples {{instance}}' },
            ],
            width: 12,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'Tracked objects and applications',
            description: 'Objects per resource held in the exporter\'s model, and Spark applications whose series it serves.',
            unit: 'short',
            thresholds: rising(100000),
            min: 0,
            queries: [
              { expr: s('spark_k8s_exporter_tracked_objects'), legend: '{{instance}} {{resource}}' },
              { expr: s('spark_k8s_exporter_tracked_applications'), legend: '{{instance}} applications' },
            ],
            width: 6,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'Rejected objects',
            description: 'Objects from the API the exporter could not use and skipped, by reason, per second.',
            unit: 'ops',
            thresholds: rising(0.01),
            min: 0,
            queries: [{ expr: `sum by (instance, resource, reason) (rate(${s('spark_k8s_exporter_objects_rejected_total')}[$__rate_interval]))`, legend: '{{instance}} {{resource}} {{reason}}' }],
            width: 6,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'Resident memory',
            description: 'Resident memory of the exporter process.',
            unit: 'bytes',
            thresholds: rising(512 * 1024 * 1024, 1024 * 1024 * 1024),
            min: 0,
            queries: [{ expr: s('process_resident_memory_bytes'), legend: '{{instance}}' }],
            width: 6,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'CPU',
            description: 'CPU used by the exporter process, in cores.',
            unit: 'short',
            thresholds: rising(0.5, 1),
            min: 0,
            queries: [{ expr: `rate(${s('process_cpu_seconds_total')}[$__rate_interval])`, legend: '{{instance}}' }],
            width: 6,
            height: 8,
          },
        ],
      },
    ],
  };
}
