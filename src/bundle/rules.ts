/**
 * Recording and alerting rules: the area files under ./alerts, with the config's per-alert
 * overrides applied, as rule groups.
 *
 * Conventions (kubernetes-mixin): every per-app expression first removes the labels that differ
 * between HA exporter replicas (`max without(instance, pod)`) so two replicas never double a value
 * or an alert; quota ratios guard `hard > 0`; recording rules are named `level:metric:operation`;
 * alerts carry `severity`, `summary`, `description` and `runbook_url`. Exporter self-health alerts
 * deliberately keep `instance`: a stalled replica is a real, separate problem.
 */
import { alertContext, ruleContext, type ThresholdMap } from './alerts/context.js';
import { AREAS, type AlertName } from './alerts/index.js';
import type { RecordingRule, RuleArea, Severity } from './alerts/spec.js';
import type { BundleConfig } from './config.js';

export { recordNames } from './alerts/names.js';
export type { RecordingRule, ThresholdMap };

export interface AlertRule {
  alert: AlertName;
  expr: string;
  for: string;
  labels: { severity: Severity };
  annotations: { summary: string; description: string; runbook_url: string };
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Array<RecordingRule | AlertRule>;
}

export interface RuleSet {
  groups: RuleGroup[];
  thresholds: ThresholdMap;
}

/** `areas` is for tests (an area with a broken expression); the bundle always uses all of them. */
export function buildRules(cfg: BundleConfig, areas: ReadonlyArray<RuleArea<AlertName>> = AREAS): RuleSet {
  const base = ruleContext(cfg);
  const thresholds: ThresholdMap = {};
  const interval = cfg.ruleInterval === '' ? {} : { interval: cfg.ruleInterval };
  const groups: RuleGroup[] = areas.map((area) => {
    const alerts: AlertRule[] = [];
    for (const spec of area.alerts) {
      const o = cfg.alerts[spec.name] ?? {};
      // A disabled alert is not built at all, so its literals stay out of the chart's threshold map.
      if (o.disabled === true) continue;
      alerts.push({
        alert: spec.name,
        expr: spec.expr(alertContext(base, spec.name, thresholds)),
        for: o.for ?? spec.for,
        labels: { severity: o.severity ?? spec.severity },
        annotations: { summary: spec.summary, description: spec.description(base), runbook_url: `${cfg.runbookBaseUrl}${spec.runbook}` },
      });
    }
    return { name: area.group, ...interval, rules: [...area.records(base), ...alerts] };
  });
  return { groups, thresholds: sortKeys(thresholds) };
}

function sortKeys<T>(obj: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(obj).sort(([a], [b]) => a.localeCompare(b)));
}

export function isAlert(rule: RecordingRule | AlertRule): rule is AlertRule {
  return 'alert' in rule;
}

export function allAlerts(set: RuleSet): AlertRule[] {
  return set.groups.flatMap((g) => g.rules.filter(isAlert));
}

export function recordedNames(set: RuleSet): Set<string> {
  return new Set(set.groups.flatMap((g) => g.rules.filter((r): r is RecordingRule => !isAlert(r)).map((r) => r.record)));
}
