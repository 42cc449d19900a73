/**
 * Namespace ResourceQuotas: saturation, exhaustion, the linear exhaustion forecast, and
 * applications held below their executor floor by a full quota.
 */
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
    {
      name: 'SparkExecutorsBlockedByQuota',
      expr: ({ d, x }) => `${d(x('spark_k8s_executors_missing'))} > 0\nand\n${d(x('spark_k8s_quota_headroom_executors'))} == 0`,
      for: '2m',
      severity: 'warning',
      summary: 'Spark executors cannot be created: the namespace quota is full.',
      description: (c) =>
        `{{ $value | printf "%.0f" }} executor(s) of ${c.appWhere} are missing below the application's floor and the namespace's quotas admit none more; ` +
        `the driver's creates are being rejected (\`exceeded quota\` in its log). ${fullestQuotas(c)}`,
      runbook: 'sparkexecutorsblockedbyquota.md',
    },
  ],
});

/**
 * Names the fullest resource(s) of the alert's namespace by a query in the template, not as
 * alert labels: the headroom is 0 as soon as less than one executor fits, so the full resource is
 * often below 100% and only "the fullest" names it, and a label picked by topk among equals
 * (cpu and memory both at 100%) could change between evaluations and restart the alert's `for`.
 * Every resource at the namespace's highest ratio is listed, sorted, so the text is stable.
 */
function fullestQuotas({ R, ns, cfg }: RuleContext): string {
  const where = `${cfg.clusterLabel}=%q,${ns}=%q`;
  const q = `${R.quotaSaturation}{${where}} == on() group_left max(${R.quotaSaturation}{${where}})`;
  const args = `$labels.${cfg.clusterLabel} $labels.${ns}`;
  return (
    `{{ with printf "${q}" ${args} ${args} | query | sortByLabel "quota" | sortByLabel "resource" }}Fullest: ` +
    `{{ range $i, $r := . }}{{ if $i }}, {{ end }}{{ $r.Labels.resource }} of quota {{ $r.Labels.quota }} ({{ $r.Value | humanizePercentage }} used){{ end }}.` +
    `{{ else }}No resource of the namespace's quotas has a non-zero hard limit: a hard limit of 0 forbids executors outright.{{ end }}`
  );
}
