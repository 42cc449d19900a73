/**
 * prometheus-operator objects: the PrometheusRule, a ServiceMonitor for the exporter, and Spark's
 * own metrics as Spark really serves them. The driver Service (DriverServiceFeatureStep) carries
 * exactly one Spark label, `spark-app-selector: <app id>` (plus the user's
 * spark.kubernetes.driver.service.label.*), and names the UI port `spark-ui` (spark.ui.port, 4040);
 * the driver UI serves PrometheusResource (/metrics/executors/prometheus, every executor's
 * summary) and, when configured, the PrometheusServlet sink (/metrics/prometheus). Executors serve
 * nothing unless a JMX exporter agent runs in them, as the kubeflow spark-operator's `monitoring`
 * block adds it, on container port `jmx-exporter`: the PodMonitor scrapes only that port.
 * All are typed and schema-validated with @kubernetes-models/prometheus-operator.
 */
import { PodMonitor, PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { BundleConfig } from './config.js';
import type { RuleSet } from './rules.js';

export function prometheusRule(cfg: BundleConfig, rules: RuleSet): PrometheusRule {
  const obj = new PrometheusRule({
    metadata: { name: cfg.prometheusRule.name, namespace: cfg.prometheusRule.namespace, labels: { ...cfg.prometheusRule.labels } },
    spec: { groups: rules.groups.map((g) => ({ ...g, rules: g.rules.map((r) => ({ ...r })) })) },
  });
  obj.validate();
  return obj;
}

export function exporterServiceMonitor(cfg: BundleConfig): ServiceMonitor {
  const m = cfg.monitors;
  const obj = new ServiceMonitor({
    metadata: { name: 'spark-k8s-exporter', labels: { ...m.labels } },
    spec: {
      // The job label must match config.exporterSelector, whatever the Service is called.
      jobLabel: 'app.kubernetes.io/name',
      selector: { matchLabels: { ...m.exporterServiceSelector } },
      endpoints: [
        {
          port: m.exporterPortName,
          path: '/metrics',
          interval: m.interval,
          // Our series carry their own `namespace`, `pod`-free app labels and `container`; without
          // honorLabels the operator's target labels would rename them to exported_*.
          honorLabels: true,
        },
      ],
    },
  });
  obj.validate();
  return obj;
}

export function sparkDriverServiceMonitor(cfg: BundleConfig): ServiceMonitor {
  const m = cfg.monitors;
  const endpoint = (path: string) => ({
    port: m.driverUiPortName,
    path,
    interval: m.interval,
    // PrometheusResource labels its lines application_id itself; honorLabels keeps that label as
    // Spark wrote it instead of renaming it exported_application_id. Spark sets no label that
    // clashes with the target's namespace, pod or service.
    honorLabels: true,
    relabelings: [
      // The servlet's names hold the app id only without spark.metrics.namespace: take it from
      // the Service, which Spark labels with it.
      { sourceLabels: ['__meta_kubernetes_service_label_spark_app_selector'], targetLabel: 'application_id', action: 'replace' as const },
    ],
  });
  const obj = new ServiceMonitor({
    metadata: { name: 'spark-driver', labels: { ...m.labels } },
    spec: {
      // spark-app-selector is the one label Spark puts on the driver Service; any namespace,
      // since Spark applications run in team namespaces.
      selector: { matchExpressions: [{ key: 'spark-app-selector', operator: 'Exists' }] },
      namespaceSelector: { any: true },
      endpoints: [endpoint('/metrics/executors/prometheus'), endpoint('/metrics/prometheus')],
    },
  });
  obj.validate();
  return obj;
}

export function sparkExecutorPodMonitor(cfg: BundleConfig): PodMonitor {
  const m = cfg.monitors;
  const obj = new PodMonitor({
    metadata: { name: 'spark-executor', labels: { ...m.labels } },
    spec: {
      selector: { matchLabels: { 'spark-role': 'executor' } },
      namespaceSelector: { any: true },
      podMetricsEndpoints: [
        {
          port: m.executorMetricsPortName,
          path: m.executorMetricsPath,
          interval: m.interval,
          // The operator's JMX rules label series app_namespace/app_id/executor_id from the metric
          // name; keep those as written and add the Spark app id the exporter's series carry.
          honorLabels: true,
          relabelings: [
            { sourceLabels: ['__meta_kubernetes_pod_label_spark_app_selector'], targetLabel: 'application_id', action: 'replace' },
          ],
        },
      ],
    },
  });
  obj.validate();
  return obj;
}
