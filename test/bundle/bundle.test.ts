/**
 * The generated bundle: every PromQL expression parses and names only known metrics, the committed
 * files are current and deterministic, alerts carry their labels/annotations and real runbooks,
 * dashboards carry uid, variables, units, thresholds and descriptions, thresholds.json is exact.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { PodMonitor, PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { allExpressions, dashboardSpecs, renderBundle } from '../../src/bundle/bundle.js';
import { ALERT_NAMES, type AlertName } from '../../src/bundle/alerts/index.js';
import { DEFAULT_BUNDLE_CONFIG, mergeConfig } from '../../src/bundle/config.js';
import { analyseExpr, checkExpr, grafanaToPromql, isKnownMetric } from '../../src/bundle/promql.js';
import { allAlerts, buildRules, recordedNames } from '../../src/bundle/rules.js';
import { REPO } from './paths.js';
import { isCatalogueSeries } from '../../src/catalogue/metrics.js';

const rules = buildRules(DEFAULT_BUNDLE_CONFIG);
const recorded = recordedNames(rules);
const files = renderBundle(DEFAULT_BUNDLE_CONFIG);

function fileText(rel: string): string {
  const content = files.get(rel);
  assert.ok(content !== undefined, `bundle has no ${rel}`);
  return content;
}

interface GrafanaPanel {
  id?: number;
  type: string;
  title?: string;
  description?: string;
  datasource?: { type?: string; uid?: string };
  fieldConfig?: { defaults?: { unit?: string; thresholds?: { steps?: Array<{ value: number | null; color: string }> } } };
  targets?: Array<{ expr?: string; refId?: string; datasource?: { uid?: string } }>;
}
interface GrafanaVariable {
  name: string;
  type: string;
  hide?: number;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string;
}
interface GrafanaDashboard {
  uid: string;
  title: string;
  tags: string[];
  templating: { list: GrafanaVariable[] };
  panels: GrafanaPanel[];
}

describe('PromQL of the bundle', () => {
  it('parses every expression with the PromQL grammar and knows every metric', () => {
    const exprs = allExpressions(DEFAULT_BUNDLE_CONFIG);
    assert.ok(exprs.length > 60, `only ${exprs.length} expressions`);
    for (const { where, expr } of exprs) {
      const { errors, metrics } = analyseExpr(grafanaToPromql(expr));
      assert.deepEqual(errors, [], `${where}: ${expr}`);
      assert.ok(metrics.length > 0, `${where} selects no metric: ${expr}`);
      for (const m of metrics) assert.ok(isKnownMetric(m, recorded), `${where}: unknown metric ${m}`);
    }
  });

  it('detects syntax errors and unknown metrics (the check is not vacuous)', () => {
    assert.notDeepEqual(checkExpr('sum(rate(spark_k8s_pods[5m])', recorded), []);
    assert.deepEqual(checkExpr('spark_k8s_nonexistent_total > 0', recorded), ['unknown metric spark_k8s_nonexistent_total']);
    assert.deepEqual(checkExpr('histogram_quantile(0.9, rate(spark_k8s_pod_startup_seconds_bucket[$__rate_interval]))', recorded), []);
    assert.throws(() => renderBundle(mergeConfig({ exporterSelector: 'job="x", bad' })), /exporterSelector/);
  });

  it('selects the exporter job in every selector of our metrics', () => {
    for (const { where, expr } of allExpressions(DEFAULT_BUNDLE_CONFIG)) {
      for (const m of analyseExpr(grafanaToPromql(expr)).metrics) {
        if (!m.startsWith('spark_k8s_') && m !== 'up' && !m.startsWith('process_') && !m.startsWith('scrape_')) continue;
        const selectors = expr.match(new RegExp(`\\b${m}(\\{[^}]*\\})?`, 'g')) ?? [];
        for (const s of selectors) assert.ok(s.includes(DEFAULT_BUNDLE_CONFIG.exporterSelector), `${where}: ${s} lacks the job selector`);
      }
    }
  });
});

describe('generated files', () => {
  it('are committed up to date and byte-identical in the chart', () => {
    for (const [rel, content] of files) {
      const path = join(REPO, rel);
      assert.ok(existsSync(path), `${rel} not committed: run npm run generate`);
      assert.equal(readFileSync(path, 'utf8'), content, `${rel} is stale: run npm run generate`);
    }
    for (const slug of ['overview', 'application', 'quotas', 'exporter']) {
      assert.equal(fileText(`charts/spark-k8s-exporter/files/dashboards/${slug}.json`), fileText(`dashboards/${slug}.json`));
    }
    assert.equal(fileText('charts/spark-k8s-exporter/files/rules/spark-k8s-exporter.rules.yaml'), fileText('alerts/spark-k8s-exporter.rules.yaml'));
  });

  it('are deterministic', () => {
    const again = renderBundle(structuredClone(DEFAULT_BUNDLE_CONFIG));
    assert.deepEqual([...again.entries()], [...files.entries()]);
    for (const content of files.values()) assert.doesNotMatch(content, /20\d\d-\d\d-\d\dT/, 'no timestamps');
  });

  it('has a PrometheusRule and monitors that validate against the prometheus-operator schemas', () => {
    const pr = parse(fileText('alerts/spark-k8s-exporter.prometheusrule.yaml')) as unknown;
    new PrometheusRule(pr as ConstructorParameters<typeof PrometheusRule>[0]).validate();
    assert.deepEqual((pr as { spec: unknown }).spec, parse(fileText('alerts/spark-k8s-exporter.rules.yaml')));
    const sm = parse(fileText('servicemonitors/spark-k8s-exporter.servicemonitor.yaml')) as ConstructorParameters<typeof ServiceMonitor>[0];
    new ServiceMonitor(sm).validate();
    assert.equal(sm?.spec.endpoints[0]?.honorLabels, true, 'our namespace/container labels must survive the scrape');
    new ServiceMonitor(parse(fileText('servicemonitors/spark-driver.servicemonitor.yaml')) as ConstructorParameters<typeof ServiceMonitor>[0]).validate();
    const pm = parse(fileText('servicemonitors/spark-executor.podmonitor.yaml')) as ConstructorParameters<typeof PodMonitor>[0];
    new PodMonitor(pm).validate();
    assert.deepEqual(pm?.spec.selector.matchLabels, { 'spark-role': 'executor' });
    // The schema check is real: a monitor without endpoints is refused.
    assert.throws(() => new ServiceMonitor({ spec: { selector: {}, endpoints: 'x' } } as unknown as ConstructorParameters<typeof ServiceMonitor>[0]).validate());
  });

  it('select what Spark and the spark-operator create', () => {
    type Selector = { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };
    const matches = (sel: Selector, labels: Record<string, string>) =>
      Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
      (sel.matchExpressions ?? []).every((e) => (e.operator === 'Exists' ? e.key in labels : e.operator === 'In' ? (e.values ?? []).includes(labels[e.key] ?? '\0') : false));
    // DriverServiceFeatureStep: the only Spark label, and the UI port's name.
    const driverService = { labels: { 'spark-app-selector': 'spark-0123456789abcdef0123456789abcdef' }, ports: ['driver-rpc-port', 'blockmanager', 'spark-ui'] };
    const sm = parse(fileText('servicemonitors/spark-driver.servicemonitor.yaml')) as { spec: { selector: Selector; endpoints: Array<{ port: string; path: string; honorLabels?: boolean }> } };
    assert.ok(matches(sm.spec.selector, driverService.labels));
    assert.ok(!matches(sm.spec.selector, { 'app.kubernetes.io/name': 'something-else' }));
    for (const e of sm.spec.endpoints) assert.ok(driverService.ports.includes(e.port), e.port);
    assert.deepEqual(sm.spec.endpoints.map((e) => e.path).sort(), ['/metrics/executors/prometheus', '/metrics/prometheus']);
    // Executors: only the JMX exporter port the operator's monitoring block adds (pkg/common/prometheus.go).
    const pm = parse(fileText('servicemonitors/spark-executor.podmonitor.yaml')) as { spec: { podMetricsEndpoints: Array<{ port: string; path: string }> } };
    assert.deepEqual(pm.spec.podMetricsEndpoints.map((e) => [e.port, e.path]), [['jmx-exporter', '/metrics']]);
  });
});

describe('alerts', () => {
  const alerts = allAlerts(rules);

  it('are exactly the documented set', () => {
    assert.deepEqual(alerts.map((a) => a.alert).sort(), [...ALERT_NAMES].sort());
  });

  it('carry severity, summary, description with a value, and a runbook that exists', () => {
    for (const a of alerts) {
      assert.match(a.alert, /^Spark[A-Z][A-Za-z0-9]+$/);
      assert.ok(['critical', 'warning', 'info'].includes(a.labels.severity));
      assert.ok(a.annotations.summary.length > 10 && a.annotations.summary.endsWith('.'), a.alert);
      assert.match(a.annotations.description, /\{\{ \$(labels|value)/, `${a.alert} description names no label or value`);
      assert.ok(a.annotations.runbook_url.startsWith(DEFAULT_BUNDLE_CONFIG.runbookBaseUrl));
      const file = a.annotations.runbook_url.slice(DEFAULT_BUNDLE_CONFIG.runbookBaseUrl.length);
      assert.equal(file, `${a.alert.toLowerCase()}.md`);
      const path = join(REPO, 'docs/runbooks', file);
      assert.ok(existsSync(path), `${a.alert}: runbook ${path} missing`);
      const text = readFileSync(path, 'utf8');
      assert.ok(text.startsWith(`# ${a.alert}\n`), `${file} has the wrong title`);
      for (const section of ['## Meaning', '## Impact', '## Diagnosis', '## Mitigation']) assert.ok(text.includes(section), `${file} lacks ${section}`);
    }
  });

  it('deduplicate HA replicas and guard quota division', () => {
    const exprs = rules.groups.flatMap((g) => g.rules.map((r) => r.expr)).join('\n');
    for (const r of rules.groups.flatMap((g) => g.rules)) {
      if (!('record' in r)) continue;
      // Records over other records inherit their dedup; only those naming our metrics directly need their own.
      const direct = analyseExpr(r.expr).metrics;
      if (direct.some((m) => isCatalogueSeries(m) && m !== 'spark_k8s_pod_info')) {
        assert.ok(r.expr.includes('max without(instance, pod)'), `${r.record} is not deduplicated`);
      }
      // pod_info's own `pod` label is the Spark pod's (honorLabels): only `instance` tells replicas apart.
      for (const m of r.expr.matchAll(/spark_k8s_pod_info\{/g)) {
        assert.ok(r.expr.slice(0, m.index).endsWith('max without(instance) ('), `${r.record}: spark_k8s_pod_info not deduplicated by instance alone`);
      }
      // cAdvisor and kube-state-metrics report a container more than once (nested cgroups, replicas).
      for (const ext of ['container_memory_working_set_bytes', 'container_spec_memory_limit_bytes', 'kube_pod_container_resource_limits']) {
        for (const m of r.expr.matchAll(new RegExp(`${ext}\\{`, 'g'))) {
          assert.ok(r.expr.slice(0, m.index).endsWith('max by (cluster, namespace, pod, container) ('), `${r.record}: ${ext} not reduced to one series per container`);
        }
      }
    }
    assert.match(exprs, /namespace_team_quota_resource:spark_k8s_quota_hard:max > 0\)/);
  });

  it('keep namespace, team and app labels for routing (no aggregation drops them)', () => {
    for (const a of alerts) {
      if (a.alert.startsWith('SparkK8sExporter')) continue;
      assert.doesNotMatch(a.expr, /\b(sum|avg|count|min|max) by\b/, `${a.alert} aggregates labels away`);
    }
  });
});

describe('thresholds.json', () => {
  const map = JSON.parse(fileText('charts/spark-k8s-exporter/files/rules/thresholds.json')) as Record<string, { default: number; alerts: Record<string, string> }>;
  const byName = new Map(allAlerts(rules).map((a) => [a.alert, a]));

  // Per-state stuck thresholds are keyed `applicationStuckSeconds_<state>`; the rest by threshold name.
  const STUCK = 'applicationStuckSeconds_';
  const configured = (key: string): number | undefined =>
    key.startsWith(STUCK) ? DEFAULT_BUNDLE_CONFIG.applicationStuckSeconds[key.slice(STUCK.length)] : DEFAULT_BUNDLE_CONFIG.thresholds[key as keyof typeof DEFAULT_BUNDLE_CONFIG.thresholds];
  const tune = (key: string, v: number): unknown => (key.startsWith(STUCK) ? { applicationStuckSeconds: { [key.slice(STUCK.length)]: v } } : { thresholds: { [key]: v } });

  it('names each literal exactly once in its alert expression, with the configured default', () => {
    const stuckKeys = Object.entries(DEFAULT_BUNDLE_CONFIG.applicationStuckSeconds).filter(([, v]) => v > 0).map(([state]) => `${STUCK}${state}`);
    assert.deepEqual(Object.keys(map).sort(), [...Object.keys(DEFAULT_BUNDLE_CONFIG.thresholds), ...stuckKeys].sort());
    for (const [key, entry] of Object.entries(map)) {
      assert.equal(entry.default, configured(key));
      for (const [alert, text] of Object.entries(entry.alerts)) {
        const expr = byName.get(alert as AlertName)?.expr ?? '';
        assert.equal(expr.split(text).length - 1, 1, `${alert}: "${text}" must occur exactly once in ${expr}`);
        assert.ok(text.includes(String(entry.default)));
      }
    }
  });

  it('substituting the literal gives the same expression as generating with the tuned value', () => {
    for (const [key, entry] of Object.entries(map)) {
      const tunedValue = entry.default < 1 ? Math.round(entry.default * 900) / 1000 : entry.default * 2 + 1;
      const tuned = allAlerts(buildRules(mergeConfig(tune(key, tunedValue))));
      for (const [alert, text] of Object.entries(entry.alerts)) {
        const original = byName.get(alert as AlertName)?.expr ?? '';
        const substituted = original.replace(text, text.replace(String(entry.default), String(tunedValue)));
        assert.equal(substituted, tuned.find((a) => a.alert === alert)?.expr, `${key} in ${alert}`);
      }
    }
  });
});

describe('dashboards', () => {
  const specs = dashboardSpecs(DEFAULT_BUNDLE_CONFIG);
  const boards = specs.map((s) => ({ slug: s.slug, json: JSON.parse(fileText(`dashboards/${s.slug}.json`)) as GrafanaDashboard }));

  it('have stable uids, prefixed titles and tags', () => {
    assert.deepEqual(
      boards.map((b) => [b.json.uid, b.json.title]),
      [
        ['spark-k8s-overview', 'Spark on Kubernetes / Overview'],
        ['spark-k8s-application', 'Spark on Kubernetes / Application'],
        ['spark-k8s-quotas', 'Spark on Kubernetes / Quotas'],
        ['spark-k8s-applications', 'Spark on Kubernetes / Applications'],
        ['spark-k8s-exporter', 'Spark on Kubernetes / Exporter'],
      ],
    );
    for (const b of boards) assert.deepEqual(b.json.tags, DEFAULT_BUNDLE_CONFIG.dashboards.tags);
  });

  it('have datasource, hidden cluster, and multi-select namespace/team/app variables with All', () => {
    for (const b of boards) {
      const vars = new Map(b.json.templating.list.map((v) => [v.name, v]));
      assert.equal(vars.get('datasource')?.type, 'datasource', b.slug);
      assert.equal(vars.get('cluster')?.hide, 2, `${b.slug}: cluster hidden unless multi-cluster`);
      const wanted = b.slug === 'exporter' ? ['instance'] : b.slug === 'quotas' ? ['namespace', 'team'] : ['namespace', 'team', 'app'];
      for (const name of wanted) {
        const v = vars.get(name);
        assert.ok(v, `${b.slug} lacks $${name}`);
        assert.equal(v.multi, true, `${b.slug} $${name} multi`);
        assert.equal(v.includeAll, true, `${b.slug} $${name} includeAll`);
        assert.equal(v.allValue, '.*');
      }
    }
  });

  it('give every panel a description, unit, thresholds, the datasource variable and queries', () => {
    let panels = 0;
    for (const b of boards) {
      const ids = new Set<number>();
      for (const p of b.json.panels) {
        assert.ok(p.id !== undefined && !ids.has(p.id), `${b.slug}: duplicate panel id`);
        ids.add(p.id);
        if (p.type === 'row') continue;
        panels++;
        const where = `${b.slug} / ${p.title}`;
        assert.ok((p.description ?? '').length > 20, `${where}: description`);
        assert.ok(p.fieldConfig?.defaults?.unit, `${where}: unit`);
        assert.ok((p.fieldConfig?.defaults?.thresholds?.steps ?? []).length >= 2, `${where}: thresholds`);
        assert.equal(p.datasource?.uid, '${datasource}', where);
        assert.ok((p.targets ?? []).length > 0, `${where}: no query`);
        for (const t of p.targets ?? []) {
          assert.equal(t.datasource?.uid, '${datasource}', where);
          // Raw rates follow Grafana's scrape-aware interval, never a fixed window.
          assert.doesNotMatch(t.expr ?? '', /(rate|increase)\([^()]*\[\d+[smh]\]\)/, `${where}: use $__rate_interval`);
        }
      }
    }
    assert.ok(panels >= 30, `only ${panels} panels`);
  });

  it('cover what each dashboard is for', () => {
    const titles = (slug: string) => specs.find((s) => s.slug === slug)?.rows.flatMap((r) => r.panels.map((p) => p.title)) ?? [];
    const text = (slug: string) => JSON.stringify(specs.find((s) => s.slug === slug));
    assert.ok(titles('overview').some((t) => /pending/i.test(t)) && titles('overview').some((t) => /OOMKill/.test(t)));
    assert.match(text('overview'), /spark_k8s_executor_churn_per_minute/);
    assert.match(text('application'), /metrics_executor_totalShuffleWrite_bytes_total/);
    assert.match(text('application'), /spark_k8s_executor_lifetime_seconds_bucket/);
    assert.match(text('quotas'), /deriv\(/);
    assert.match(text('exporter'), /scrape_duration_seconds/);
    for (const m of ['spark_k8s_applications', 'spark_k8s_application_state_seconds', 'spark_k8s_application_driver_status', 'failures:increase', 'retries:increase', 'spark_k8s_scheduled_application_next_run_timestamp_seconds', 'spark_k8s_scheduled_application_last_run_timestamp_seconds']) assert.ok(text('applications').includes(m), `applications shows ${m}`);
  });
});

describe('config', () => {
  it('merges partial overrides and rejects unknown keys and wrong types', () => {
    const cfg = mergeConfig({ thresholds: { quotaNearlyFullRatio: 0.75 }, alerts: { SparkExecutorOOMKilled: { for: '1m' } } });
    assert.equal(cfg.thresholds.quotaNearlyFullRatio, 0.75);
    assert.equal(cfg.thresholds.memoryOverheadMinRatio, 0.2);
    assert.equal(cfg.alerts.SparkExecutorOOMKilled?.for, '1m');
    assert.equal(DEFAULT_BUNDLE_CONFIG.thresholds.quotaNearlyFullRatio, 0.85, 'defaults untouched');
    assert.throws(() => mergeConfig({ thresholds: { quotaNearlyFull: 0.75 } }), /unknown setting/);
    assert.throws(() => mergeConfig({ thresholds: { quotaNearlyFullRatio: '0.75' } }), /expected a number/);
    assert.throws(() => mergeConfig({ alerts: { SparkExecutorOOMKilled: { for: 'soon' } } }), /config\.alerts\.SparkExecutorOOMKilled\.for: "soon" is not a Prometheus duration/);
    assert.throws(() => mergeConfig([]), /expected an object/);
    assert.deepEqual(mergeConfig({ monitors: { labels: { release: 'kps' } } }).monitors.labels, { 'app.kubernetes.io/part-of': 'spark-k8s-exporter', release: 'kps' });
  });

  it('changes every artefact consistently (the job selector reaches rules, dashboards and variables)', () => {
    const out = renderBundle(mergeConfig({ exporterSelector: 'job="spark-exporter-ha"' }));
    for (const [rel, content] of out) {
      if (rel.startsWith('servicemonitors/') || rel.endsWith('alertmanager-example.yaml') || rel.endsWith('thresholds.json')) continue;
      // The mixin holds the value once, in _config; its expressions read it (mixin.test.ts renders them).
      if (rel.startsWith('mixin/') && rel !== 'mixin/config.libsonnet') continue;
      assert.doesNotMatch(content, /job=\\?"spark-k8s-exporter\\?"/, rel);
      assert.match(content, /spark-exporter-ha/, rel);
    }
  });
});
