/**
 * The shape of one alert and of one area (a rule group): an alert is defined once, as one object
 * holding its expression (built from the config), default `for` and severity, texts and runbook;
 * an area holds the recording rules its alerts and dashboards read, then its alerts.
 */
import type { BundleConfig, Thresholds, Windows } from '../config.js';
import type { RecordNames } from './names.js';

export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface RecordingRule {
  record: string;
  expr: string;
}

/** What the config and helpers offer to every expression. */
export interface RuleContext {
  cfg: BundleConfig;
  /** Recording-rule names, shared with the dashboards. */
  R: RecordNames;
  t: Thresholds;
  w: Windows;
  /** Namespace and team label names. */
  ns: string;
  team: string;
  /** `metric{<exporter selector>, matchers...}`. */
  x(metric: string, ...matchers: string[]): string;
  /** Removes the HA replica labels: one value per series however many exporters scrape it. */
  d(expr: string): string;
  /** `cluster, labels...` for `by (...)`. */
  by(...labels: string[]): string;
  /** "Did this event happen in the events window", for counters born at 1 (see context.ts). */
  recentEvents(metric: string, ...matchers: string[]): string;
  /** "app (id) in namespace ns (team t)" for descriptions. */
  appWhere: string;
}

/** An alert's context adds the tunable threshold literal, recorded for the chart under this alert. */
export interface AlertContext extends RuleContext {
  /** `<prefix><op> <value>`, e.g. `>= 300`; the chart substitutes exactly this text. */
  thr(key: keyof Thresholds, op: string, prefix?: string): string;
  /** A tunable literal that is not one of `thresholds`: `text` (holding `value` once) is recorded under `key`. */
  thrText(key: string, value: number, text: string): string;
}

export interface AlertSpec<N extends string = string> {
  name: N;
  expr(c: AlertContext): string;
  /** Defaults; `config.alerts.<name>.for` / `.severity` override them. */
  for: string;
  severity: Severity;
  summary: string;
  description(c: RuleContext): string;
  /** File under docs/runbooks (the config's runbookBaseUrl is prepended). */
  runbook: string;
}

export interface RuleArea<N extends string = string> {
  /** Rule group name. */
  group: string;
  /**
   * Listed before the alerts in the same group: rules within a group run in order at the same
   * timestamp, whereas an alert in another group would see the previous evaluation's value (and
   * promtool orders groups randomly, making tests flaky).
   */
  records(c: RuleContext): RecordingRule[];
  alerts: ReadonlyArray<AlertSpec<N>>;
}

/** Identity with a `const` type parameter, so the alert names stay literal types (AlertName). */
export function defineArea<const N extends string>(area: RuleArea<N>): RuleArea<N> {
  return area;
}

/** Alerts defined outside their area's file (read by the area that lists them), names kept literal. */
export function defineAlerts<const N extends string>(alerts: ReadonlyArray<AlertSpec<N>>): ReadonlyArray<AlertSpec<N>> {
  return alerts;
}
