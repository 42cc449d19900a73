/** ScheduledSparkApplications as the model holds them: the parsed view per object. */
import type { ApplyMode, Store } from './relist.js';
import type { ScheduledSparkApplicationView } from './scheduled-spark-application.js';

export class ScheduledApplicationsModel implements Store<ScheduledSparkApplicationView> {
  readonly byUid = new Map<string, ScheduledSparkApplicationView>();
  private readonly names = new Set<string>();

  constructor(private readonly opts: { readonly ownsNamespace: (namespace: string) => boolean }) {}

  key(v: ScheduledSparkApplicationView): string {
    return v.uid;
  }

  has(uid: string): boolean {
    return this.byUid.has(uid);
  }

  *keys(namespace?: string): Iterable<string> {
    for (const [uid, v] of this.byUid) if (namespace === undefined || v.namespace === namespace) yield uid;
  }

  upsert(v: ScheduledSparkApplicationView, _mode: ApplyMode): boolean {
    if (!this.opts.ownsNamespace(v.namespace)) return false;
    const old = this.byUid.get(v.uid);
    this.byUid.set(v.uid, v);
    this.names.add(`${v.namespace}\u0000${v.name}`);
    return old === undefined || old.lastRunMs !== v.lastRunMs || old.nextRunMs !== v.nextRunMs || old.lastRunName !== v.lastRunName || old.suspended !== v.suspended || old.team !== v.team;
  }

  remove(v: ScheduledSparkApplicationView): boolean {
    return this.removeKey(v.uid);
  }

  removeKey(uid: string): boolean {
    const v = this.byUid.get(uid);
    if (!v) return false;
    this.names.delete(`${v.namespace}\u0000${v.name}`);
    return this.byUid.delete(uid);
  }

  hasName(namespace: string, name: string): boolean {
    return this.names.has(`${namespace}\u0000${name}`);
  }
}
