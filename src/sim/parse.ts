/** Defensive parsing of objects clients send, into the shapes the store keeps. */
import { badRequest, invalid } from './errors.js';
import { parseQuantity } from './quantity.js';
import { rfc3339 } from './time.js';
import { isRecord, type ContainerSpec, type KObject, type Pod } from './types.js';
import type { ResourceDef } from './resources.js';

const NAME_RE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function stringMap(v: unknown, what: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) throw badRequest(`${what} must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string') out[k] = x;
    else if (typeof x === 'number') out[k] = String(x);
    else throw badRequest(`${what}.${k} must be a string`);
  }
  return out;
}

/** Turns a request body into an object for `def`, filling server-set metadata. */
export function parseNewObject(body: unknown, def: ResourceDef, namespace: string | undefined, uid: string, nowMs: number, genSuffix: () => string): KObject {
  if (!isRecord(body)) throw badRequest('the request body must be a JSON object');
  const meta = isRecord(body['metadata']) ? body['metadata'] : {};
  const kind = typeof body['kind'] === 'string' ? body['kind'] : def.kind;
  if (kind !== def.kind) throw badRequest(`the kind "${kind}" does not match the resource "${def.resource}" (expected ${def.kind})`);
  let name = typeof meta['name'] === 'string' ? meta['name'] : '';
  if (!name && typeof meta['generateName'] === 'string') name = `${meta['generateName']}${genSuffix()}`;
  if (!name) throw invalid(def.resource, def.kind, '', 'metadata.name: Required value: name or generateName is required');
  if (!NAME_RE.test(name) || name.length > 253) throw invalid(def.resource, def.kind, name, `metadata.name: Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`);
  if (def.namespaced && typeof meta['namespace'] === 'string' && meta['namespace'] !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  const labels = stringMap(meta['labels'], 'metadata.labels');
  const annotations = stringMap(meta['annotations'], 'metadata.annotations');
  const metadata: KObject['metadata'] = { name, uid, resourceVersion: '0', creationTimestamp: rfc3339(nowMs) };
  if (def.namespaced && namespace) metadata.namespace = namespace;
  if (labels) metadata.labels = labels;
  if (annotations) metadata.annotations = annotations;
  if (Array.isArray(meta['ownerReferences'])) metadata.ownerReferences = meta['ownerReferences'].filter(isRecord).map((o) => ({ apiVersion: String(o['apiVersion'] ?? ''), kind: String(o['kind'] ?? ''), name: String(o['name'] ?? ''), uid: String(o['uid'] ?? ''), ...(o['controller'] === true ? { controller: true } : {}) }));
  const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
  const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = body;
  const obj: KObject = { ...rest, apiVersion, kind: def.kind, metadata };
  if (def.resource === 'pods') return parsePod(obj, name);
  if (def.resource === 'namespaces') return { ...obj, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' }, metadata: { ...metadata, labels: { ...(labels ?? {}), 'kubernetes.io/metadata.name': name } } };
  return obj;
}

function parsePod(obj: KObject, name: string): Pod {
  const spec = isRecord(obj.spec) ? obj.spec : undefined;
  if (!spec || !Array.isArray(spec['containers']) || spec['containers'].length === 0) throw invalid('pods', 'Pod', name, 'spec.containers: Required value');
  const containers: ContainerSpec[] = spec['containers'].map((c: unknown, i: number) => {
    if (!isRecord(c) || typeof c['name'] !== 'string' || typeof c['image'] !== 'string') throw invalid('pods', 'Pod', name, `spec.containers[${i}]: name and image are required`);
    const resources = isRecord(c['resources']) ? c['resources'] : {};
    const requests = stringMap(resources['requests'], `spec.containers[${i}].resources.requests`);
    const limits = stringMap(resources['limits'], `spec.containers[${i}].resources.limits`);
    for (const [k, v] of Object.entries({ ...(requests ?? {}), ...(limits ?? {}) })) {
      try {
        parseQuantity(v);
      } catch {
        throw invalid('pods', 'Pod', name, `spec.containers[${i}].resources.${k}: Invalid value: "${v}": quantities must match the regular expression`);
      }
    }
    const res: ContainerSpec['resources'] = {};
    if (requests) res.requests = requests;
    if (limits) res.limits = limits;
    return { ...c, name: c['name'], image: c['image'], resources: res, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: typeof c['imagePullPolicy'] === 'string' ? c['imagePullPolicy'] : 'IfNotPresent' };
  });
  const tolerations = Array.isArray(spec['tolerations']) ? spec['tolerations'].filter(isRecord) : [];
  const podSpec: Pod['spec'] = {
    ...spec,
    containers,
    restartPolicy: typeof spec['restartPolicy'] === 'string' ? spec['restartPolicy'] : 'Always',
    terminationGracePeriodSeconds: typeof spec['terminationGracePeriodSeconds'] === 'number' ? spec['terminationGracePeriodSeconds'] : 30,
    dnsPolicy: 'ClusterFirst',
    schedulerName: 'default-scheduler',
    tolerations: [...tolerations, { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    priority: 0,
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
  };
  const nodeSelector = stringMap(spec['nodeSelector'], 'spec.nodeSelector');
  if (nodeSelector) podSpec.nodeSelector = nodeSelector;
  else delete podSpec.nodeSelector;
  return { ...obj, kind: 'Pod', spec: podSpec, status: { phase: 'Pending', qosClass: 'Burstable' } } as Pod;
}
