/**
 * ResourceQuota accounting and admission with the API server's semantics and wording
 * (plugin/pkg/admission/resourcequota and pkg/quota/v1/evaluator/core in kubernetes/kubernetes).
 */
import { formatResource, parseQuantity } from './quantity.js';
import type { Pod } from './types.js';

export type Usage = Record<string, number>;

export function isTerminal(pod: Pod): boolean {
  return pod.status.phase === 'Succeeded' || pod.status.phase === 'Failed';
}

/** A pod's summed container requests and limits (cores, bytes), defaulted as the API server does. */
export function containerResources(pod: Pod): { reqCpu: number; reqMem: number; limCpu: number; limMem: number } {
  let reqCpu = 0;
  let reqMem = 0;
  let limCpu = 0;
  let limMem = 0;
  for (const c of pod.spec.containers) {
    const r = c.resources?.requests ?? {};
    const l = c.resources?.limits ?? {};
    // As the API server defaults: a limit without a request implies request = limit.
    const rc = r['cpu'] ?? l['cpu'];
    const rm = r['memory'] ?? l['memory'];
    if (rc !== undefined) reqCpu += parseQuantity(rc);
    if (rm !== undefined) reqMem += parseQuantity(rm);
    if (l['cpu'] !== undefined) limCpu += parseQuantity(l['cpu']);
    if (l['memory'] !== undefined) limMem += parseQuantity(l['memory']);
  }
  return { reqCpu, reqMem, limCpu, limMem };
}

/** What a pod charges against quota; terminal pods charge nothing. */
export function podUsage(pod: Pod): Usage {
  if (isTerminal(pod)) return {};
  const { reqCpu, reqMem, limCpu, limMem } = containerResources(pod);
  return {
    pods: 1,
    'count/pods': 1,
    'requests.cpu': reqCpu,
    cpu: reqCpu,
    'requests.memory': reqMem,
    memory: reqMem,
    'limits.cpu': limCpu,
    'limits.memory': limMem,
  };
}

/** Resources a pod must declare on every container when a quota constrains them. */
function missingConstraints(pod: Pod, hard: Record<string, string>): string[] {
  const missing: string[] = [];
  const need = (key: string, kind: 'requests' | 'limits', res: 'cpu' | 'memory'): void => {
    if (!(key in hard)) return;
    const ok = pod.spec.containers.every((c) => {
      const v = kind === 'limits' ? c.resources?.limits?.[res] : c.resources?.requests?.[res] ?? c.resources?.limits?.[res];
      return v !== undefined;
    });
    if (!ok && !missing.includes(key)) missing.push(key);
  };
  need('limits.cpu', 'limits', 'cpu');
  need('limits.memory', 'limits', 'memory');
  need('requests.cpu', 'requests', 'cpu');
  need('requests.memory', 'requests', 'memory');
  need('cpu', 'requests', 'cpu');
  need('memory', 'requests', 'memory');
  return missing.sort();
}

export interface SimQuota {
  name: string;
  hard: Record<string, string>;
}

function prettyPrint(values: Usage): string {
  return Object.keys(values)
    .sort()
    .map((k) => `${k}=${formatResource(k, values[k] ?? 0)}`)
    .join(',');
}

/**
 * Checks a pod create against the namespace's quotas (sorted by name, as the lister returns them).
 * Returns undefined when admitted, else the error text after `pods "NAME" is forbidden: `.
 */
export function checkQuota(pod: Pod, quotas: readonly SimQuota[], used: Usage): string | undefined {
  const delta = podUsage(pod);
  for (const q of [...quotas].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const missing = missingConstraints(pod, q.hard);
    if (missing.length > 0) return `failed quota: ${q.name}: must specify ${missing.join(',')}`;
    const exceeded: string[] = [];
    for (const key of Object.keys(q.hard)) {
      const req = delta[key];
      if (req === undefined) continue;
      const hard = parseQuantity(q.hard[key] ?? '0');
      // Compare with a little tolerance: quantities are summed as floats.
      if ((used[key] ?? 0) + req > hard + 1e-9 * Math.max(1, hard)) exceeded.push(key);
    }
    if (exceeded.length > 0) {
      const pick = (src: Usage): Usage => Object.fromEntries(exceeded.map((k) => [k, src[k] ?? 0]));
      const hardUsage: Usage = Object.fromEntries(exceeded.map((k) => [k, parseQuantity(q.hard[k] ?? '0')]));
      return `exceeded quota: ${q.name}, requested: ${prettyPrint(pick(delta))}, used: ${prettyPrint(pick(used))}, limited: ${prettyPrint(hardUsage)}`;
    }
  }
  return undefined;
}

/** The `status.used` map a quota shows for the namespace's current usage. */
export function usedFor(hard: Record<string, string>, used: Usage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(hard)) out[key] = formatResource(key, used[key] ?? 0);
  return out;
}

export function addUsage(into: Usage, delta: Usage, sign: 1 | -1): void {
  for (const [k, v] of Object.entries(delta)) {
    const next = (into[k] ?? 0) + sign * v;
    into[k] = Math.abs(next) < 1e-9 ? 0 : next;
  }
}
