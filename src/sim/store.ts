/**
 * The object store: one map per resource, one global resourceVersion counter (as etcd has), and a
 * bounded event history so watches can resume from a resourceVersion until it is compacted away.
 * Stored objects are never mutated: every change stores a fresh object, so list snapshots and
 * history entries stay consistent without copying.
 */
import type { KObject } from './types.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  rv: number;
  resource: string;
  obj: KObject;
  /** Serialised `{"type","object"}` line, filled on first use and shared by all watchers. */
  line?: string;
}

export type StoreListener = (ev: StoreEvent, previous: KObject | undefined) => void;

export function keyOf(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export class Store {
  private rv = 0;
  private readonly tables = new Map<string, Map<string, KObject>>();
  private readonly history: StoreEvent[] = [];
  private historyStart = 0;
  /** Every event with rv <= compactedRv is forgotten. */
  private compactedRv = 0;
  private readonly listeners: StoreListener[] = [];
  /** When false, writes are not remembered (bulk loading 150k pods). */
  recordHistory = true;

  constructor(private readonly maxHistory = 100_000) {}

  currentRv(): number {
    return this.rv;
  }

  table(resource: string): Map<string, KObject> {
    let t = this.tables.get(resource);
    if (!t) {
      t = new Map();
      this.tables.set(resource, t);
    }
    return t;
  }

  get(resource: string, namespace: string | undefined, name: string): KObject | undefined {
    return this.table(resource).get(keyOf(namespace, name));
  }

  count(resource: string): number {
    return this.table(resource).size;
  }

  /** Objects of a resource, optionally in one namespace. */
  *list(resource: string, namespace?: string): IterableIterator<KObject> {
    for (const obj of this.table(resource).values()) {
      if (namespace === undefined || obj.metadata.namespace === namespace) yield obj;
    }
  }

  subscribe(fn: StoreListener): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Stores `obj` (a fresh object owned by the store from now on) with the next resourceVersion. */
  put<T extends KObject>(resource: string, obj: T): T {
    const t = this.table(resource);
    const key = keyOf(obj.metadata.namespace, obj.metadata.name);
    const previous = t.get(key);
    const rv = ++this.rv;
    const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
    t.set(key, stored);
    this.emit({ type: previous ? 'MODIFIED' : 'ADDED', rv, resource, obj: stored }, previous);
    return stored;
  }

  remove(resource: string, namespace: string | undefined, name: string): KObject | undefined {
    const t = this.table(resource);
    const key = keyOf(namespace, name);
    const previous = t.get(key);
    if (!previous) return undefined;
    t.delete(key);
    const rv = ++this.rv;
    const gone = { ...previous, metadata: { ...previous.metadata, resourceVersion: String(rv) } };
    this.emit({ type: 'DELETED', rv, resource, obj: gone }, previous);
    return gone;
  }

  private emit(ev: StoreEvent, previous: KObject | undefined): void {
    if (this.recordHistory) {
      this.history.push(ev);
      if (this.history.length - this.historyStart > this.maxHistory) {
        const dropped = this.history[this.historyStart];
        if (dropped) this.compactedRv = dropped.rv;
        this.history[this.historyStart] = undefined as unknown as StoreEvent;
        this.historyStart++;
        // Reclaim the dead prefix now and then rather than shifting on every write.
        if (this.historyStart > 10_000 && this.historyStart * 2 > this.history.length) {
          this.history.splice(0, this.historyStart);
          this.historyStart = 0;
        }
      }
    } else {
      this.compactedRv = ev.rv;
    }
    // Listeners may write (garbage collection, the workload reacting): queue those so every
    // listener, watchers included, sees events in resourceVersion order.
    this.queue.push([ev, previous]);
    if (this.emitting) return;
    this.emitting = true;
    try {
      for (let item = this.queue.shift(); item; item = this.queue.shift()) {
        for (const l of this.listeners) l(item[0], item[1]);
      }
    } finally {
      this.emitting = false;
    }
  }
  private readonly queue: Array<[StoreEvent, KObject | undefined]> = [];
  private emitting = false;

  /** Forgets all history: a watch from any earlier resourceVersion now gets 410 Expired. */
  compact(): void {
    this.history.length = 0;
    this.historyStart = 0;
    this.compactedRv = this.rv;
  }

  oldestResumableRv(): number {
    return this.compactedRv;
  }

  /** Events after `rv`, or undefined when `rv` is older than the compaction window. */
  eventsSince(rv: number): StoreEvent[] | undefined {
    if (rv < this.compactedRv) return undefined;
    return this.history.slice(this.indexAfter(rv));
  }

  /**
   * Visits the events after `rv` in order, without copying the history, until `visit` says
   * false; false when `rv` is older than the compaction window.
   */
  eachSince(rv: number, visit: (ev: StoreEvent) => boolean): boolean {
    if (rv < this.compactedRv) return false;
    for (let i = this.indexAfter(rv); i < this.history.length; i++) {
      const ev = this.history[i];
      if (ev && !visit(ev)) break;
    }
    return true;
  }

  private indexAfter(rv: number): number {
    let lo = this.historyStart;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = this.history[mid];
      if (e && e.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
