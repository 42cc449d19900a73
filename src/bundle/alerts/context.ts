/** Builds the contexts the area files' expressions are written against, from the bundle config. */
import type { BundleConfig, Thresholds } from '../config.js';
import { dedup, sel } from '../promql.js';
import { recordNames } from './names.js';
import type { AlertContext, RuleContext } from './spec.js';

/** For the chart: the literal holding each tunable threshold, per alert using it. */
export type ThresholdMap = Record<string, { default: number; alerts: Record<string, string> }>;

export function ruleContext(cfg: BundleConfig): RuleContext {
  const x = cfg.exporterSelector;
  const d = (e: string) => dedup(cfg.haLabels, e);
  const ns = cfg.namespaceLabel;
  const team = cfg.teamLabel;
  const w = cfg.windows;
  return {
    cfg,
    R: recordNames(cfg),
    t: cfg.thresholds,
    w,
    ns,
    team,
    x: (metric, ...matchers) => sel(metric, x, ...matchers),
    d,
    by: (...labels) => [cfg.clusterLabel, ...labels].join(', '),
    /**
     * Counters whose series appear only when the first event happens (with value 1): `increase()`
     * needs two samples and would never see that first event, so a series that is new within the
     * window counts with its value.
     */
    recentEvents: (metric, ...matchers) => {
      const s = sel(metric, x, ...matchers);
      return d(`(increase(${s}[${w.events}]) > 0) or (${s} unless ${s} offset ${w.events})`);
    },
    appWhere: `{{ $labels.app_name }} ({{ $labels.app_id }}) in namespace {{ $labels.${ns} }} (team {{ $labels.${team} }})`,
  };
}

/** The context of one alert: `thr()` records its literal in `thresholds` under `alert`. */
export function alertContext(base: RuleContext, alert: string, thresholds: ThresholdMap): AlertContext {
  return {
    ...base,
    thr: (key: keyof Thresholds, op: string, prefix = '') => {
      const value = base.t[key];
      const text = `${prefix}${op} ${value}`;
      const entry = (thresholds[key] ??= { default: value, alerts: {} });
      entry.alerts[alert] = text;
      return text;
    },
    thrText: (key: string, value: number, text: string) => {
      const entry = (thresholds[key] ??= { default: value, alerts: {} });
      entry.alerts[alert] = text;
      return text;
    },
  };
}
