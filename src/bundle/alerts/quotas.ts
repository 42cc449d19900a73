/** Namespace ResourceQuotas: saturation, exhaustion and the linear exhaustion forecast. */
import { humanSeconds } from '../tunable.js';
import { defineArea, type RuleContext } from './spec.js';

export function quotaRecordNames() {
  return {
    quotaUsed: 'namespace_team_quota_resource:spark_k8s_quota_used:max',
    quotaHard: 'namespace_team_quota_resource:spark_k8s_quota_hard:max',
    quotaSaturation: 'namespace_team_quota_resource:spark_k8s_quota_saturation:ratio',
  } as const;
}

const quotaWhere = ({ ns, team }: RuleContext) =>
  `{{ $labels.resource }} of quota {{ $labels.quota }} in namespace {{ $labels.${ns} }} (team {{ $labels.${team} }})`;

export const quotas = defineArea({
  group: 'spark-k8s-exporter.quotas',
  records: ({ R, x, d }) => [
    { record: R.quotaUsed, expr: d(x('spark_k8s_quota_used')) },
    { record: R.quotaHard, expr: d(x('spark_k8s_quota_hard')) },
    // hard > 0: a zero hard limit (a resource forbidden outright) would otherwise divide to +Inf.
    { record: R.quotaSaturation, expr: `${R.quotaUsed}\n/\n(${R.quotaHard} > 0)` },
  ],
  alerts: [
    {
      name: 'SparkNamespaceQuotaNearlyFull',
      expr: ({ R, thr }) => `${R.quotaSaturation} ${thr('quotaNearlyFullRatio', '>=')} < 1`,
      for: '15m',
      severity: 'warning',
      summary: 'A Spark namespace ResourceQuota is nearly full.',
      description: (c) => `${quotaWhere(c)} is {{ $value | humanizePercentage }} used; new executors and drivers will soon be rejected.`,
      runbook: 'sparknamespacequotanearlyfull.md',
    },
    {
      name: 'SparkNamespaceQuotaExhausted',
      expr: ({ R }) => `${R.quotaSaturation} >= 1`,
      for: '5m',
      severity: 'critical',
      summary: 'A Spark namespace ResourceQuota is exhausted.',
      description: (c) => `${quotaWhere(c)} is {{ $value | humanizePercentage }} used: the API server rejects every new executor and driver that needs it.`,
      runbook: 'sparknamespacequotaexhausted.md',
    },
    {
      name: 'SparkNamespaceQuotaExhaustionForecast',
      expr: ({ R, w, thr }) =>
        `predict_linear(${R.quotaUsed}[${w.forecast}]${thr('quotaForecastHorizonSeconds', '', ', ')})\n>= ${R.quotaHard}\nand\n${R.quotaSaturation} < 1`,
      for: '15m',
      severity: 'warning',
      summary: 'A Spark namespace ResourceQuota will be exhausted soon.',
      description: (c) =>
        `At the rate of the last ${c.w.forecast}, ${quotaWhere(c)} reaches its hard limit within ${humanSeconds(c.t.quotaForecastHorizonSeconds)} (forecast use {{ $value | humanize }}).`,
      runbook: 'sparknamespacequotaexhaustionforecast.md',
    },
  ],
});
