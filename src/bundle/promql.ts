/**
 * PromQL helpers: building selectors from the config, and checking expressions with the real
 * PromQL grammar (lezer-promql, the parser of Prometheus' own UI) so a typo or an unknown metric
 * fails generation instead of shipping a silent empty panel or an alert that can never fire.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { EXTERNAL_METRICS, PROCESS_METRIC_PREFIXES, isCatalogueSeries } from '../catalogue/metrics.js';
import { hasSym, jsonnetString, sym } from './tunable.js';

/** `metric{m1, m2}` from non-empty matcher strings. */
export function sel(metric: string, ...matchers: string[]): string {
  // A tunable matcher may be empty (sparkMetricsSelector is by default): the mixin decides in jsonnet.
  if (matchers.some(hasSym)) return sym('s', `lib.sel(${JSON.stringify(metric)}, [${matchers.map(jsonnetString).join(', ')}])`);
  const ms = matchers.map((m) => m.trim()).filter((m) => m !== '');
  return ms.length === 0 ? metric : `${metric}{${ms.join(', ')}}`;
}

/** `max without(instance, pod) (...)`: one value per series however many exporter replicas scrape it. */
export function dedup(haLabels: readonly string[], expr: string): string {
  return `max without(${haLabels.join(', ')}) (${expr})`;
}

export interface ExprAnalysis {
  /** Positions and snippets of syntax errors; empty when the expression parses. */
  errors: string[];
  /** Metric names in vector selectors, in order of first appearance. */
  metrics: string[];
}

/**
 * Grafana's macros are not PromQL; substitute what Grafana would send so the grammar can check
 * the rest. Template variables only ever appear inside label-matcher strings here.
 */
export function grafanaToPromql(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '5m');
}

export function analyseExpr(expr: string): ExprAnalysis {
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const metrics: string[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        errors.push(`syntax error at ${node.from}: "${expr.slice(Math.max(0, node.from - 20), node.to + 20)}"`);
      }
      if (node.name === 'VectorSelector') {
        const id = node.node.getChild('Identifier');
        if (id) {
          const name = expr.slice(id.from, id.to);
          if (!metrics.includes(name)) metrics.push(name);
        }
      }
    },
  });
  return { errors, metrics };
}

/** Whether PromQL may name this metric: catalogue, process metrics, declared external, or recorded by us. */
export function isKnownMetric(name: string, recorded: ReadonlySet<string>): boolean {
  if (isCatalogueSeries(name) || recorded.has(name)) return true;
  if ((EXTERNAL_METRICS as readonly string[]).includes(name)) return true;
  return PROCESS_METRIC_PREFIXES.some((p) => name.startsWith(p));
}

/** All problems of one expression; empty when it parses and names only known metrics. */
export function checkExpr(expr: string, recorded: ReadonlySet<string>): string[] {
  const { errors, metrics } = analyseExpr(grafanaToPromql(expr));
  const unknown = metrics.filter((m) => !isKnownMetric(m, recorded)).map((m) => `unknown metric ${m}`);
  return [...errors, ...unknown];
}
