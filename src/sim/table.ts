/** Server-side printing for `kubectl get`: meta.k8s.io/v1 Table rows with the usual columns. */
import { rfc3339 } from './time.js';
import { isRecord, type KObject, type Pod } from './types.js';

interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

const col = (name: string, type = 'string', priority = 0, format = ''): Column => ({ name, type, format, description: name, priority });
const NAME = col('Name', 'string', 0, 'name');
const AGE = col('Age', 'string');

/** Like apimachinery's duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

function age(obj: KObject, now: number): string {
  const created = Date.parse(obj.metadata.creationTimestamp);
  return Number.isNaN(created) ? '<unknown>' : humanDuration(now - created);
}

/** STATUS as kubectl prints it for a pod. */
export function podStatusText(pod: Pod): string {
  let reason: string = pod.status.reason ?? pod.status.phase;
  for (const c of pod.status.containerStatuses ?? []) {
    if (c.state.waiting?.reason) reason = c.state.waiting.reason;
    else if (c.state.terminated?.reason) reason = c.state.terminated.reason;
    else if (c.state.terminated) reason = `ExitCode:${c.state.terminated.exitCode}`;
  }
  const sched = pod.status.conditions?.find((c) => c.type === 'PodScheduled');
  if (pod.status.phase === 'Pending' && sched?.status === 'False' && !pod.status.containerStatuses) reason = 'Pending';
  if (pod.metadata.deletionTimestamp) reason = pod.status.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

function columnsFor(resource: string): Column[] {
  switch (resource) {
    case 'pods':
      return [NAME, col('Ready'), col('Status'), col('Restarts', 'string'), AGE, col('IP', 'string', 1), col('Node', 'string', 1), col('Nominated Node', 'string', 1), col('Readiness Gates', 'string', 1)];
    case 'namespaces':
      return [NAME, col('Status'), AGE];
    case 'nodes':
      return [NAME, col('Status'), col('Roles'), AGE, col('Version'), col('Internal-IP', 'string', 1)];
    case 'resourcequotas':
      return [NAME, AGE, col('Request'), col('Limit')];
    case 'events':
      return [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Message')];
    case 'sparkapplications':
      return [NAME, col('Status'), col('Attempts', 'integer'), col('Start'), col('Finish'), AGE];
    case 'scheduledsparkapplications':
      return [NAME, col('Schedule'), col('TimeZone'), col('Suspend'), col('Last Run'), col('Last Run Age'), AGE];
    case 'sparkapplications.spark.apache.org':
      return [NAME, col('Current State'), AGE];
    default:
      return [NAME, col('Created At', 'date')];
  }
}

function cells(resource: string, obj: KObject, now: number): unknown[] {
  switch (resource) {
    case 'pods': {
      const pod = obj as Pod;
      const statuses = pod.status.containerStatuses ?? [];
      const ready = statuses.filter((c) => c.ready).length;
      const restarts = statuses.reduce((n, c) => n + c.restartCount, 0);
      return [pod.metadata.name, `${ready}/${pod.spec.containers.length}`, podStatusText(pod), String(restarts), age(pod, now), pod.status.podIP ?? '<none>', pod.spec.nodeName ?? '<none>', '<none>', '<none>'];
    }
    case 'namespaces': {
      const st = isRecord(obj.status) ? obj.status['phase'] : undefined;
      return [obj.metadata.name, typeof st === 'string' ? st : 'Active', age(obj, now)];
    }
    case 'nodes': {
      const status = isRecord(obj.status) ? obj.status : {};
      const addresses = Array.isArray(status['addresses']) ? status['addresses'] : [];
      const ip = addresses.find((a: unknown) => isRecord(a) && a['type'] === 'InternalIP');
      const info = isRecord(status['nodeInfo']) ? status['nodeInfo'] : {};
      return [obj.metadata.name, 'Ready', '<none>', age(obj, now), String(info['kubeletVersion'] ?? ''), isRecord(ip) ? String(ip['address']) : '<none>'];
    }
    case 'resourcequotas': {
      const status = isRecord(obj.status) ? obj.status : {};
      const hard = isRecord(status['hard']) ? status['hard'] : {};
      const used = isRecord(status['used']) ? status['used'] : {};
      const keys = Object.keys(hard).sort();
      const fmt = (ks: string[]): string => ks.map((k) => `${k}: ${String(used[k] ?? '0')}/${String(hard[k])}`).join(', ');
      return [obj.metadata.name, age(obj, now), fmt(keys.filter((k) => !k.startsWith('limits.'))), fmt(keys.filter((k) => k.startsWith('limits.')))];
    }
    case 'events': {
      const involved = isRecord(obj['involvedObject']) ? obj['involvedObject'] : {};
      const last = typeof obj['lastTimestamp'] === 'string' ? Date.parse(obj['lastTimestamp']) : now;
      return [humanDuration(now - last), String(obj['type'] ?? ''), String(obj['reason'] ?? ''), `${String(involved['kind'] ?? '').toLowerCase()}/${String(involved['name'] ?? '')}`, String(obj['message'] ?? '')];
    }
    case 'sparkapplications': {
      const status = isRecord(obj.status) ? obj.status : {};
      const state = isRecord(status['applicationState']) ? String(status['applicationState']['state'] ?? '') : '';
      return [obj.metadata.name, state, Number(status['executionAttempts'] ?? 0), String(status['lastSubmissionAttemptTime'] ?? ''), String(status['terminationTime'] ?? ''), age(obj, now)];
    }
    case 'scheduledsparkapplications': {
      const spec = isRecord(obj['spec']) ? obj['spec'] : {};
      const status = isRecord(obj.status) ? obj.status : {};
      const last = typeof status['lastRun'] === 'string' ? Date.parse(status['lastRun']) : NaN;
      return [obj.metadata.name, String(spec['schedule'] ?? ''), String(spec['timeZone'] ?? ''), String(spec['suspend'] ?? ''), String(status['lastRun'] ?? ''), Number.isFinite(last) ? humanDuration(now - last) : '', age(obj, now)];
    }
    case 'sparkapplications.spark.apache.org': {
      const status = isRecord(obj.status) ? obj.status : {};
      const current = isRecord(status['currentState']) ? status['currentState'] : {};
      return [obj.metadata.name, String(current['currentStateSummary'] ?? ''), age(obj, now)];
    }
    default:
      return [obj.metadata.name, obj.metadata.creationTimestamp];
  }
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

function rowObject(obj: KObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  const { managedFields: _ignored, ...metadata } = obj.metadata;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata };
}

export function tableOf(resource: string, objects: readonly KObject[], now: number, include: IncludeObject, listMeta: Record<string, unknown>, withColumns = true): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: withColumns ? columnsFor(resource) : [],
    rows: objects.map((o) => ({ cells: cells(resource, o, now), object: rowObject(o, include) })),
  };
}

export { rfc3339 };
