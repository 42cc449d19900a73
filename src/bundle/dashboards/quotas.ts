/**
 * `Spark on Kubernetes / Quotas`: namespace ResourceQuotas, how full, when they run out, and the
 * applications they hold below their executor floor.
 */
import type { BundleConfig } from '../config.js';
import { dedup, sel } from '../promql.js';
import { recordNames } from '../rules.js';
import { humanSeconds, scale } from '../tunable.js';
import { filters, rising, type DashboardSpec, type PanelSpec } from './spec.js';

export function quotasDashboard(cfg: BundleConfig): DashboardSpec {
  const R = recordNames(cfg);
  const f = filters(cfg);
  const t = cfg.thresholds;
  const ns = cfg.namespaceLabel;
  const app = (metric: string) => dedup(cfg.haLabels, sel(metric, cfg.exporterSelector, f.nsTeam));
  // Both key styles exist (`cpu` and `requests.cpu`); show them side by side, keyed verbatim.
  const usedVsHard = (title: string, resources: string, unit: string, what: string): PanelSpec => {
    const m = f.join(f.nsTeam, `resource=~"${resources}"`);
    return {
      kind: 'timeseries',
      title,
      description: `ResourceQuota used and hard limit for ${what} per namespace, quota and resource key (${resources.split('|').join(', ')}).`,
      unit,
      thresholds: rising(Number.MAX_SAFE_INTEGER),
      min: 0,
      queries: [
        { expr: `${R.quotaUsed}{${m}}`, legend: '{{' + ns + '}} {{quota}} {{resource}} used' },
        { expr: `${R.quotaHard}{${m}}`, legend: '{{' + ns + '}} {{quota}} {{resource}} hard' },
      ],
      width: 8,
      height: 8,
    };
  };
  return {
    slug: 'quotas',
    title: 'Quotas',
    description: 'Namespace ResourceQuotas that Spark applications run under: used vs hard, saturation, and time to exhaustion at the current rate.',
    variables: ['datasource', 'cluster', 'namespace', 'team'],
    variableSource: 'spark_k8s_quota_hard',
    rows: [
      {
        title: 'Used vs hard',
        panels: [
          usedVsHard('CPU used vs hard', 'cpu|requests.cpu|limits.cpu', 'short', 'CPU (cores)'),
          usedVsHard('Memory used vs hard', 'memory|requests.memory|limits.memory', 'bytes', 'memory'),
          usedVsHard('Pods used vs hard', 'pods|count/pods', 'short', 'pod count'),
        ],
      },
      {
        title: 'Saturation and forecast',
        panels: [
          {
            kind: 'timeseries',
            title: 'Quota saturation',
            description: `used / hard per namespace and resource (hard > 0 only). Orange from ${scale(t.quotaNearlyFullRatio, 100)}%, red at 100%: new pods are rejected.`,
            unit: 'percentunit',
            thresholds: rising(t.quotaNearlyFullRatio, 1),
            min: 0,
            max: 1,
            queries: [{ expr: `${R.quotaSaturation}{${f.nsTeam}}`, legend: '{{' + ns + '}} {{quota}} {{resource}}' }],
            width: 12,
            height: 8,
          },
          {
            kind: 'table',
            title: 'Time to exhaustion at the current rate',
            description: `(hard − used) / per-second growth of used over the last ${cfg.windows.forecast} (deriv), for quotas whose usage is growing. Red under the forecast horizon (${humanSeconds(t.quotaForecastHorizonSeconds)}).`,
            unit: 's',
            thresholds: [
              { value: null, color: 'red' },
              { value: t.quotaForecastHorizonSeconds, color: 'orange' },
              { value: scale(t.quotaForecastHorizonSeconds, 6), color: 'green' },
            ],
            queries: [
              {
                expr: `(${R.quotaHard}{${f.nsTeam}} - ${R.quotaUsed}{${f.nsTeam}})\n/\n(deriv(${R.quotaUsed}{${f.nsTeam}}[${cfg.windows.forecast}]) > 0)`,
                instant: true,
                format: 'table',
              },
            ],
            width: 12,
            height: 8,
          },
          {
            kind: 'stat',
            title: 'Quotas nearly full',
            description: `Quota resources at or above ${scale(t.quotaNearlyFullRatio, 100)}% saturation now.`,
            unit: 'short',
            thresholds: rising(1, 5),
            queries: [{ expr: `count(${R.quotaSaturation}{${f.nsTeam}} >= ${t.quotaNearlyFullRatio}) or vector(0)` }],
            width: 8,
            height: 6,
          },
          {
            kind: 'bargauge',
            title: 'Executor headroom by application',
            description: 'How many more executors of each running application the namespace quotas admit (tightest resource). 0 means the next executor is rejected.',
            unit: 'short',
            thresholds: [
              { value: null, color: 'red' },
              { value: 1, color: 'orange' },
              { value: 5, color: 'green' },
            ],
            min: 0,
            queries: [{ expr: `topk(20, ${app('spark_k8s_quota_headroom_executors')})`, legend: '{{' + ns + '}}/{{app_name}}', instant: true }],
            width: 16,
            height: 6,
          },
        ],
      },
      {
        title: 'Executors blocked by quota',
        panels: [
          {
            kind: 'timeseries',
            title: 'Executors missing and headroom by application',
            description:
              'Executors each application lacks below its SparkApplication floor (instances, or the dynamic-allocation minimum), beside how many more the namespace quotas admit. ' +
              'Missing above 0 while headroom is 0, for the alert\'s `for` (2m by default): SparkExecutorsBlockedByQuota.',
            unit: 'short',
            thresholds: rising(1),
            min: 0,
            queries: [
              { expr: app('spark_k8s_executors_missing'), legend: '{{' + ns + '}}/{{app_name}} missing' },
              { expr: app('spark_k8s_quota_headroom_executors'), legend: '{{' + ns + '}}/{{app_name}} headroom' },
            ],
            width: 12,
            height: 8,
          },
          {
            kind: 'timeseries',
            title: 'Skipped executor ids by application',
            description:
              `Executor ids burned by rejected creates in the last ${cfg.windows.events}. Spark takes a new id for every retry (a batch every spark.kubernetes.allocation.batch.delay), ` +
              'so a quota full for minutes burns thousands; they are counted once a later executor appears, i.e. after the quota frees.',
            unit: 'short',
            thresholds: rising(1),
            min: 0,
            queries: [{ expr: `sum by (${ns}, app_name) (${R.skipped}{${f.nsTeam}})`, legend: '{{' + ns + '}}/{{app_name}}' }],
            width: 12,
            height: 8,
          },
        ],
      },
    ],
  };
}
