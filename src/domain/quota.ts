/** ResourceQuotas: hard and used per resource, and what they leave for one more executor. */
import { namespaced, obj, type IdentityReject, type Json, type Identity } from './json.js';
import { parseQuantity } from './quantity.js';

export interface QuotaView extends Identity {
  readonly hard: ReadonlyMap<string, number>;
  readonly used: ReadonlyMap<string, number>;
  /** Resources whose quantities did not parse: logged and left out, never exported as garbage. */
  readonly badQuantities: readonly string[];
}

export type QuotaParse = { ok: true; value: QuotaView } | IdentityReject;

export function parseQuota(raw: unknown, teamLabel: string): QuotaParse {
  const id = namespaced(raw, teamLabel);
  if (!id.ok) return id;
  const { object: q, identity } = id.value;
  const status = obj(q['status']);
  const bad: string[] = [];
  // status.hard is what the quota controller enforces; spec.hard before the controller has run.
  const hard = quantities(obj(status?.['hard']) ?? obj(obj(q['spec'])?.['hard']), bad);
  const used = quantities(obj(status?.['used']), bad);
  return { ok: true, value: { uid: identity.uid, namespace: identity.namespace, name: identity.name, team: identity.team, hard, used, badQuantities: bad } };
}

function quantities(m: Json | undefined, bad: string[]): Map<string, number> {
  const out = new Map<string, number>();
  if (!m) return out;
  for (const k of Object.keys(m).sort()) {
    const v = parseQuantity(m[k]);
    // A negative quota amount is not something the API server admits: garbage, skipped.
    if (v === undefined || v < 0) bad.push(`${k}=${String(m[k]).slice(0, 40)}`);
    else out.set(k, v);
  }
  return out;
}

/** What one executor pod charges against each kind of quota key. */
export interface ExecutorShape {
  readonly cpuRequest: number | undefined;
  readonly cpuLimit: number | undefined;
  readonly memoryRequest: number | undefined;
  readonly memoryLimit: number | undefined;
}

function charge(resource: string, e: ExecutorShape): number | undefined {
  switch (resource) {
    case 'pods':
    case 'count/pods':
      return 1;
    case 'cpu':
    case 'requests.cpu':
      return e.cpuRequest;
    case 'memory':
    case 'requests.memory':
      return e.memoryRequest;
    case 'limits.cpu':
      // Spark sets no CPU limit unless asked: a limits.cpu quota then rejects every executor.
      return e.cpuLimit ?? Infinity;
    case 'limits.memory':
      return e.memoryLimit;
    default:
      return undefined;
  }
}

/**
 * How many more executors of this shape the quotas admit: the tightest resource over all quotas
 * of the namespace. Undefined when no quota constrains the executor.
 */
export function headroomExecutors(quotas: Iterable<QuotaView>, e: ExecutorShape): number | undefined {
  let best: number | undefined;
  for (const q of quotas) {
    for (const [resource, hard] of q.hard) {
      const per = charge(resource, e);
      if (per === undefined || per <= 0) continue;
      const free = Math.max(0, hard - (q.used.get(resource) ?? 0));
      const n = per === Infinity ? 0 : Math.floor(free / per + 1e-9);
      best = best === undefined ? n : Math.min(best, n);
    }
  }
  return best;
}
