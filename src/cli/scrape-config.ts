/**
 * The Prometheus scrape configuration the prometheus-operator renders from a ServiceMonitor, for
 * Prometheus outside Kubernetes (the e2e test and `demo --prometheus`): the same keep rules for the
 * Service selector and the port name, the same target labels (namespace, service, pod, container,
 * job, endpoint), then the monitor's own relabelings, over any service discovery that attaches the
 * `__meta_kubernetes_*` labels (the simulator's HTTP SD does). Testing with this tests the
 * generated monitor itself: a wrong label or port name selects nothing.
 */
export type ScrapeConfig = Record<string, unknown>;

/** The parts of a ServiceMonitor this reads (the generated YAML, or the typed object in tests). */
export interface MonitorLike {
  metadata?: { name?: string };
  spec: {
    jobLabel?: string;
    selector: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> };
    endpoints: Array<{ port?: string; path?: string; interval?: string; honorLabels?: boolean; relabelings?: unknown[] }>;
  };
}

type Spec = MonitorLike['spec'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Narrows a parsed ServiceMonitor document; throws on a shape this cannot translate. */
export function asMonitor(doc: unknown): MonitorLike {
  if (!isRecord(doc) || !isRecord(doc['spec']) || !isRecord(doc['spec']['selector']) || !Array.isArray(doc['spec']['endpoints'])) {
    throw new Error('not a ServiceMonitor (spec.selector and spec.endpoints expected)');
  }
  return doc as unknown as MonitorLike;
}

/** prometheus-operator's label-name sanitising: `spark-app-selector` → `spark_app_selector`. */
function sanitize(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function selectorKeeps(spec: Spec): ScrapeConfig[] {
  const out: ScrapeConfig[] = [];
  for (const [k, v] of Object.entries(spec.selector.matchLabels ?? {})) {
    const l = sanitize(k);
    out.push({ action: 'keep', source_labels: [`__meta_kubernetes_service_label_${l}`, `__meta_kubernetes_service_labelpresent_${l}`], regex: `(${escapeRegex(v)});true` });
  }
  for (const e of spec.selector.matchExpressions ?? []) {
    const l = sanitize(e.key);
    const values = (e.values ?? []).map(escapeRegex).join('|');
    switch (e.operator) {
      case 'Exists':
        out.push({ action: 'keep', source_labels: [`__meta_kubernetes_service_labelpresent_${l}`], regex: 'true' });
        break;
      case 'DoesNotExist':
        out.push({ action: 'drop', source_labels: [`__meta_kubernetes_service_labelpresent_${l}`], regex: 'true' });
        break;
      case 'In':
        out.push({ action: 'keep', source_labels: [`__meta_kubernetes_service_label_${l}`, `__meta_kubernetes_service_labelpresent_${l}`], regex: `(${values});true` });
        break;
      case 'NotIn':
        out.push({ action: 'drop', source_labels: [`__meta_kubernetes_service_label_${l}`, `__meta_kubernetes_service_labelpresent_${l}`], regex: `(${values});true` });
        break;
      default:
        throw new Error(`unsupported selector operator ${e.operator}`);
    }
  }
  return out;
}

/** snake_case Prometheus relabel config from a monitor's camelCase RelabelConfig. */
function relabel(r: Record<string, unknown>): ScrapeConfig {
  const keys: Record<string, string> = { sourceLabels: 'source_labels', targetLabel: 'target_label', regex: 'regex', replacement: 'replacement', separator: 'separator', modulus: 'modulus' };
  const out: ScrapeConfig = {};
  for (const [k, v] of Object.entries(r)) {
    if (k === 'action') out['action'] = String(v).toLowerCase();
    else if (keys[k] !== undefined) out[keys[k]] = v;
  }
  return out;
}

export interface ScrapeOptions {
  /** Where the targets come from, e.g. `{ http_sd_configs: [{ url, refresh_interval: '1s' }] }`. */
  discovery: ScrapeConfig;
  /** Overrides the monitor's interval (tests run on seconds). */
  interval?: string;
  namespace?: string;
}

export function scrapeConfigsFor(monitor: MonitorLike, opts: ScrapeOptions): ScrapeConfig[] {
  const spec = monitor.spec;
  const name = monitor.metadata?.name ?? 'monitor';
  return spec.endpoints.map((ep, i) => {
    const port = ep.port ?? '';
    const jobFrom = spec.jobLabel ? `__meta_kubernetes_service_label_${sanitize(spec.jobLabel)}` : '__meta_kubernetes_service_name';
    return {
      job_name: `serviceMonitor/${opts.namespace ?? 'monitoring'}/${name}/${i}`,
      honor_labels: ep.honorLabels ?? false,
      metrics_path: ep.path ?? '/metrics',
      scrape_interval: opts.interval ?? ep.interval ?? '30s',
      ...opts.discovery,
      relabel_configs: [
        ...selectorKeeps(spec),
        { action: 'keep', source_labels: ['__meta_kubernetes_endpoint_port_name'], regex: escapeRegex(port) },
        { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
        { source_labels: ['__meta_kubernetes_service_name'], target_label: 'service' },
        { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
        { source_labels: ['__meta_kubernetes_pod_container_name'], target_label: 'container' },
        { source_labels: [jobFrom], target_label: 'job', replacement: '${1}' },
        { target_label: 'endpoint', replacement: port },
        ...(ep.relabelings ?? []).filter(isRecord).map(relabel),
      ],
    };
  });
}
