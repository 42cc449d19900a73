/**
 * Every area, in rule-group order. Adding an alert is one object in one area file (plus its
 * runbook and promtool test); adding an area is one entry here (and its record names in names.ts).
 */
import { applications } from './applications.js';
import { executors } from './executors.js';
import { exporter } from './exporter.js';
import { memory } from './memory.js';
import { quotas } from './quotas.js';
import { spark } from './spark.js';
import type { AlertSpec, RuleArea } from './spec.js';

export const AREAS = [executors, memory, quotas, applications, spark, exporter] as const;

/** Distributes over the areas' union, so the result is the union of every area's names. */
type NamesOf<A> = A extends RuleArea<infer N> ? N : never;
export type AlertName = NamesOf<(typeof AREAS)[number]>;

export const ALERTS: ReadonlyArray<AlertSpec<AlertName>> = AREAS.flatMap((a): ReadonlyArray<AlertSpec<AlertName>> => a.alerts);

export const ALERT_NAMES: readonly AlertName[] = ALERTS.map((a) => a.name);

export function isAlertName(name: string): name is AlertName {
  return (ALERT_NAMES as readonly string[]).includes(name);
}
