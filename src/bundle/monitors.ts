/**
 * prometheus-operator objects: the PrometheusRule, a ServiceMonitor for the exporter, and the
 * common production setup for Spark's own metrics: a ServiceMonitor on the driver Service
 * (PrometheusServlet and /metrics/executors/prometheus on the UI port) and, since executors have no
 * Service, a PodMonitor for executor pods that expose a metrics port (e.g. a JMX exporter agent).
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
    // Spark's labels (application_id, executor_id) never clash with target labels; keep the
    // target's namespace so panels can filter on it.
    honorLabels: false,
  });
  const obj = new ServiceMonitor({
    metadata: { name: 'spark-driver', labels: { ...m.labels } },
    spec: {
      // Spark labels the driver Service with spark-app-selector (recent versions); any namespace,
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
          relabelings: [
            // Executors churn: keep the app id and executor id, not just the short-lived pod name.
            { sourceLabels: ['__meta_kubernetes_pod_label_spark_app_selector'], targetLabel: 'application_id', action: 'replace' },
            { sourceLabels: ['__meta_kubernetes_pod_label_spark_exec_id'], targetLabel: 'executor_id', action: 'replace' },
          ],
        },
      ],
    },
  });
  obj.validate();
  return obj;
}
