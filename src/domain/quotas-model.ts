/** ResourceQuotas as the model holds them: the parsed view per quota, replaced whole on change. */
import type { QuotaView } from './quota.js';
import type { Store } from './relist.js';

export class QuotasModel implements Store<QuotaView> {
  /** Bumped by every verb that may change what is held: the metrics layer's cache key for what reads it. */
  version = 0;
  readonly byUid = new Map<string, QuotaView>();

  key(q: QuotaView): string {
    return q.uid;
  }

  has(uid: string): boolean {
    return this.byUid.has(uid);
  }

  *keys(namespace?: string): Iterable<string> {
    for (const [uid, q] of this.byUid) if (namespace === undefined || q.namespace === namespace) yield uid;
  }

  upsert(q: QuotaView): boolean {
    this.version++;
    const old = this.byUid.get(q.uid);
    this.byUid.set(q.uid, q);
    return old === undefined || !sameQuota(old, q);
  }

  remove(q: QuotaView): boolean {
    this.version++;
    return this.byUid.delete(q.uid);
  }

  removeKey(uid: string): boolean {
    this.version++;
    return this.byUid.delete(uid);
  }

  inNamespace(namespace: string): QuotaView[] {
    const out: QuotaView[] = [];
    for (const q of this.byUid.values()) if (q.namespace === namespace) out.push(q);
    return out;
  }
}

function sameQuota(a: QuotaView, b: QuotaView): boolean {
  if (a.team !== b.team || a.hard.size !== b.hard.size || a.used.size !== b.used.size) return false;
  for (const [k, v] of a.hard) if (b.hard.get(k) !== v) return false;
  for (const [k, v] of a.used) if (b.used.get(k) !== v) return false;
  return true;
}
