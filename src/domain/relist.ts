/**
 * One relist for every resource, as kube-state-metrics' MetricsStore.Replace: upsert everything the
 * list holds, then delete what the store holds that the list lacks. What differed is reported, so
 * an audit can count drift the same way for pods, quotas, namespaces and SparkApplications.
 */

/** initial: the first list of this process; relist: a later list (410, audit); watch: an event. */
export type ApplyMode = 'initial' | 'relist' | 'watch';

export interface RelistResult {
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
}

/** What a resource's part of the model offers the sources: the same four verbs for each resource. */
export interface Store<V> {
  key(v: V): string;
  has(key: string): boolean;
  /** Applies an ADDED/MODIFIED object or a listed one; returns whether anything it exports changed. */
  upsert(v: V, mode: ApplyMode, nowMs: number): boolean;
  /** Applies a DELETED object (its final state first); returns whether the store held it. */
  remove(v: V, nowMs: number): boolean;
  /** Forgets an object a list no longer shows: it was deleted while the watch was away. */
  removeKey(key: string, nowMs: number): boolean;
  /** Keys held, only those in `namespace` when one is given. */
  keys(namespace?: string): Iterable<string>;
}

/**
 * Replaces a store's content with a full list. A list of one namespace (`--namespaces`) speaks
 * only for that namespace, so nothing outside it is removed.
 */
export function relist<V>(store: Store<V>, views: Iterable<V>, mode: ApplyMode, nowMs: number, namespace?: string): RelistResult {
  const seen = new Set<string>();
  let added = 0;
  let changed = 0;
  for (const v of views) {
    const key = store.key(v);
    seen.add(key);
    const known = store.has(key);
    if (store.upsert(v, mode, nowMs)) {
      if (known) changed++;
      // A sharded store may decline an object it does not own: not added.
      else if (store.has(key)) added++;
    }
  }
  let removed = 0;
  for (const key of [...store.keys(namespace)]) {
    if (!seen.has(key) && store.removeKey(key, nowMs)) removed++;
  }
  return { added, removed, changed };
}
