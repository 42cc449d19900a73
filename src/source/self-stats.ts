/** The exporter's own health, written by the sources as they list and watch; the renderer reads it. */

/** Resources by their plural (kubectl's `plural.group` where a plural is ambiguous: Apache's SparkApplications). */
export type Resource = 'pods' | 'resourcequotas' | 'namespaces' | 'sparkapplications' | 'scheduledsparkapplications' | 'sparkapplications.spark.apache.org';
export const RESOURCES: readonly Resource[] = ['pods', 'resourcequotas', 'namespaces', 'sparkapplications', 'scheduledsparkapplications', 'sparkapplications.spark.apache.org'];

function inc(m: Map<string, number>, key: string, by = 1): void {
  m.set(key, (m.get(key) ?? 0) + by);
}

export class SelfStats {
  readonly watchEvents = new Map<string, number>();
  readonly watchRestarts = new Map<string, number>();
  readonly lists = new Map<string, number>();
  readonly rejected = new Map<string, number>();
  readonly auditDrift = new Map<string, number>();
  readonly synced = new Map<Resource, boolean>();
  readonly lastEventSeconds = new Map<Resource, number>();

  constructor(
    readonly version: string,
    readonly shard = 0,
    readonly totalShards = 1,
  ) {}

  watchEvent(resource: Resource, type: string, nowMs: number): void {
    inc(this.watchEvents, `${resource}\u0000${type}`);
    this.lastEventSeconds.set(resource, nowMs / 1000);
  }

  watchRestart(resource: Resource, reason: string): void {
    inc(this.watchRestarts, `${resource}\u0000${reason}`);
  }

  list(resource: Resource, result: 'success' | 'error'): void {
    inc(this.lists, `${resource}\u0000${result}`);
  }

  reject(resource: Resource, reason: string): void {
    inc(this.rejected, `${resource}\u0000${reason}`);
  }

  drift(resource: Resource, n: number): void {
    if (n > 0) inc(this.auditDrift, resource, n);
  }

  /** Resources that must sync before /readyz says ready (an absent CRD is not among them). */
  readonly required = new Set<Resource>();

  ready(): boolean {
    for (const r of this.required) if (!this.synced.get(r)) return false;
    return true;
  }
}
