/**
 * A small, plain description of our dashboards (what to show), rendered to Grafana JSON by
 * render.ts with the Grafana Foundation SDK (how Grafana wants it). Keeping the description plain
 * lets tests and the end-to-end check walk every panel's queries without knowing Grafana's schema.
 */
import type { BundleConfig } from '../config.js';

export type PanelKind = 'timeseries' | 'stat' | 'table' | 'bargauge' | 'heatmap';

export interface QuerySpec {
  expr: string;
  legend?: string;
  /** Instant query (tables, stats of "now"). */
  instant?: boolean;
  format?: 'time_series' | 'table' | 'heatmap';
}

/** A threshold step: from this value up, this colour (the first step's value is null = -Inf). */
export interface Step {
  value: number | null;
  color: string;
}

export interface PanelSpec {
  kind: PanelKind;
  title: string;
  description: string;
  /** A Grafana unit id: s, bytes, percentunit, short, opm, ops, Bps. */
  unit: string;
  thresholds: Step[];
  queries: QuerySpec[];
  width: number;
  height: number;
  min?: number;
  max?: number;
  stack?: boolean;
}

export interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

export type VariableName = 'datasource' | 'cluster' | 'namespace' | 'team' | 'app' | 'app_id' | 'instance';

export interface DashboardSpec {
  /** File name (without .json) and uid suffix; never change once published, links depend on it. */
  slug: string;
  title: string;
  description: string;
  variables: VariableName[];
  /** Metric whose labels list the namespaces and teams to choose from. */
  variableSource: 'spark_k8s_pods' | 'spark_k8s_quota_hard' | 'spark_k8s_applications';
  rows: RowSpec[];
}

/** Label matchers for the dashboard variables, shared by every dashboard. */
export function filters(cfg: BundleConfig) {
  const cluster = cfg.showMultiCluster ? `${cfg.clusterLabel}=~"$cluster"` : '';
  const namespace = `${cfg.namespaceLabel}=~"$namespace"`;
  const team = `${cfg.teamLabel}=~"$team"`;
  const app = 'app_name=~"$app"';
  const join = (...ms: string[]) => ms.filter((m) => m !== '').join(', ');
  return {
    cluster,
    /** namespace + team (+ cluster). */
    nsTeam: join(cluster, namespace, team),
    /** namespace + team + app (+ cluster). */
    app: join(cluster, namespace, team, app),
    instance: join(cluster, 'instance=~"$instance"'),
    join,
  };
}

export const GREEN = 'green';
export const ORANGE = 'orange';
export const RED = 'red';

/** Steps for "more is worse": green, orange from `warn`, red from `crit`. */
export function rising(warn: number, crit?: number): Step[] {
  const steps: Step[] = [
    { value: null, color: GREEN },
    { value: warn, color: ORANGE },
  ];
  if (crit !== undefined) steps.push({ value: crit, color: RED });
  return steps;
}

/** Steps for "less is worse": red below `ok`, green from it. */
export function falling(ok: number): Step[] {
  return [
    { value: null, color: RED },
    { value: ok, color: GREEN },
  ];
}
