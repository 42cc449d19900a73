/**
 * Renders a DashboardSpec to Grafana dashboard JSON with the Grafana Foundation SDK.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DatasourceVariableBuilder,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableHide,
  VariableRefresh,
  VariableSort,
  type Dashboard,
  type Panel,
  type RowPanel,
} from '@grafana/grafana-foundation-sdk/dashboard';
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type { BundleConfig } from '../config.js';
import { sel } from '../promql.js';
import type { DashboardSpec, PanelSpec, VariableName } from './spec.js';

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

export function dashboardUid(cfg: BundleConfig, slug: string): string {
  return `${cfg.dashboards.uidPrefix}${slug}`;
}

function variable(cfg: BundleConfig, name: VariableName, source: string) {
  const x = cfg.exporterSelector;
  const cluster = cfg.showMultiCluster ? `${cfg.clusterLabel}=~"$cluster"` : '';
  const ns = `${cfg.namespaceLabel}=~"$namespace"`;
  const team = `${cfg.teamLabel}=~"$team"`;
  const query = (label: string, q: string, text: string) =>
    new QueryVariableBuilder(name)
      .label(text)
      .datasource(DATASOURCE)
      .query(`label_values(${q}, ${label})`)
      .definition(`label_values(${q}, ${label})`)
      .refresh(VariableRefresh.OnTimeRangeChanged)
      .sort(VariableSort.AlphabeticalAsc)
      .multi(true)
      .includeAll(true)
      .allValue('.*')
      .current({ selected: true, text: 'All', value: '$__all' });
  switch (name) {
    case 'datasource':
      return new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus').current({ selected: true, text: 'default', value: 'default' });
    case 'cluster': {
      const v = new QueryVariableBuilder('cluster')
        .label('Cluster')
        .datasource(DATASOURCE)
        .query(`label_values(${sel('up', x)}, ${cfg.clusterLabel})`)
        .definition(`label_values(${sel('up', x)}, ${cfg.clusterLabel})`)
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .allValue('.*')
        .includeAll(true);
      return cfg.showMultiCluster ? v : v.hide(VariableHide.HideVariable);
    }
    case 'namespace':
      return query(cfg.namespaceLabel, sel(source, x, cluster), 'Namespace');
    case 'team':
      return query(cfg.teamLabel, sel(source, x, cluster, ns), 'Team');
    case 'app':
      return query('app_name', sel('spark_k8s_pods', x, cluster, ns, team), 'Application');
    case 'app_id':
      // Spark's own metrics carry application_id, not our app_name: resolve the chosen apps' ids.
      return query('app_id', sel('spark_k8s_pods', x, cluster, ns, team, 'app_name=~"$app"'), 'Application id').hide(VariableHide.HideVariable);
    case 'instance':
      return query('instance', sel('up', x, cluster), 'Exporter instance');
  }
}

function targets(p: PanelSpec) {
  return p.queries.map((q, i) => {
    const t = new DataqueryBuilder().expr(q.expr).refId(String.fromCharCode(65 + i)).datasource(DATASOURCE);
    if (q.legend !== undefined) t.legendFormat(q.legend);
    if (q.instant) t.instant();
    else t.range();
    if (q.format === 'table') t.format(PromQueryFormat.Table);
    if (q.format === 'heatmap') t.format(PromQueryFormat.Heatmap);
    return t;
  });
}

function panel(p: PanelSpec) {
  const thresholds = new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(p.thresholds.map((s) => ({ ...s })));
  const legend = new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom).calcs([]);
  const reduce = new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);
  let b;
  switch (p.kind) {
    case 'timeseries': {
      const ts = new timeseries.PanelBuilder().legend(legend).fillOpacity(p.stack ? 60 : 10).lineWidth(1);
      if (p.stack) ts.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
      b = ts;
      break;
    }
    case 'stat':
      b = new stat.PanelBuilder().reduceOptions(reduce).graphMode(common.BigValueGraphMode.Area).colorMode(common.BigValueColorMode.Value);
      break;
    case 'table':
      b = new table.PanelBuilder();
      break;
    case 'bargauge':
      b = new bargauge.PanelBuilder().reduceOptions(reduce).displayMode(common.BarGaugeDisplayMode.Gradient).orientation(common.VizOrientation.Horizontal);
      break;
    case 'heatmap':
      b = new heatmap.PanelBuilder()
        .calculate(false)
        .color(new heatmap.HeatmapColorOptionsBuilder().mode(heatmap.HeatmapColorMode.Scheme).scheme('Oranges').fill('dark-orange').steps(64).exponent(0.5).scale(heatmap.HeatmapColorScale.Exponential).reverse(false))
        .rowsFrame(new heatmap.RowsHeatmapOptionsBuilder().layout(common.HeatmapCellLayout.Le));
      break;
  }
  b.title(p.title).description(p.description).unit(p.unit).thresholds(thresholds).datasource(DATASOURCE).span(p.width).height(p.height).targets(targets(p));
  if (p.min !== undefined) b.min(p.min);
  if (p.max !== undefined) b.max(p.max);
  return b;
}

export function renderDashboard(cfg: BundleConfig, spec: DashboardSpec): Dashboard {
  const d = cfg.dashboards;
  const builder = new DashboardBuilder(`${d.titlePrefix}${spec.title}`)
    .uid(dashboardUid(cfg, spec.slug))
    .description(spec.description)
    .tags([...d.tags])
    .refresh(d.refresh)
    .timezone(d.timezone)
    .time({ from: d.from, to: 'now' })
    .readonly();
  for (const v of spec.variables) builder.withVariable(variable(cfg, v, spec.variableSource));
  for (const row of spec.rows) {
    builder.withRow(new RowBuilder(row.title));
    for (const p of row.panels) builder.withPanel(panel(p));
  }
  const out = builder.build();
  // The SDK leaves panel ids unset; Grafana needs unique ones for links and panel views.
  let id = 1;
  for (const p of out.panels ?? []) (p as Panel | RowPanel).id = id++;
  return out;
}
