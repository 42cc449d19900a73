/**
 * Accessors for the rendered workload and its pod template, shared by the chart tests.
 */
import { arr, at, one, ofKind, rec, str, stringMap, type K8sObject, type Obj } from './helm.js';

export function workload(objects: readonly K8sObject[]): K8sObject {
  const found = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
  if (found.length !== 1) throw new Error(`expected one Deployment or StatefulSet, found ${found.length}`);
  return found[0] as K8sObject;
}

export function podSpec(w: K8sObject): Obj {
  return rec(at(w, 'spec', 'template', 'spec'), 'pod spec');
}

export function podLabels(w: K8sObject): Record<string, string> {
  return stringMap(at(w, 'spec', 'template', 'metadata', 'labels'), 'pod labels');
}

export function container(w: K8sObject): Obj {
  const containers = arr(podSpec(w)['containers'], 'containers');
  if (containers.length !== 1) throw new Error(`expected one container, found ${containers.length}`);
  return rec(containers[0], 'container');
}

export function args(w: K8sObject): string[] {
  return arr(container(w)['args'], 'args').map((a, i) => str(a, `args[${i}]`));
}

export function envVar(w: K8sObject, name: string): Obj | undefined {
  const env = arr(container(w)['env'] ?? [], 'env').map((e) => rec(e, 'env'));
  return env.find((e) => e['name'] === name);
}

export function service(objects: readonly K8sObject[]): K8sObject {
  return one(objects, 'Service');
}

export function serviceMonitors(objects: readonly K8sObject[]): K8sObject[] {
  return ofKind(objects, 'ServiceMonitor');
}
