/**
 * spark-operator SparkApplications as the model holds them: each one's parsed view, and the
 * failures counted from their state changes, which outlive the objects for the retention.
 */
import type { ApplyMode, Store } from './relist.js';
import { FAILED_STATES, type SparkApplicationView } from './spark-application.js';

export interface ApplicationFailures {
  readonly namespace: string;
  readonly name: string;
  readonly state: string;
  /** The application's team label; the namespace's team is the fallback, resolved when rendered. */
  labelTeam: string | undefined;
  count: number;
  lastMs: number;
}

interface SparkApplicationRecord {
  view: SparkApplicationView;
  /** `state/attempt` of the last failure counted, so each failed attempt counts once. */
  countedFailure: string | undefined;
}

export class SparkApplicationsModel implements Store<SparkApplicationView> {
  /** Bumped by every verb that may change what is held: the metrics layer's cache key for what reads it. */
  version = 0;
  readonly records = new Map<string, SparkApplicationRecord>();
  readonly failures = new Map<string, ApplicationFailures>();
  /** `namespace/spark app id` and `namespace\u0000name` → uid: how pods find their SparkApplication. */
  private readonly byAppId = new Map<string, string>();
  private readonly byName = new Map<string, string>();

  constructor(private readonly opts: { readonly retentionMs: number; readonly ownsNamespace: (namespace: string) => boolean }) {}

  key(v: SparkApplicationView): string {
    return v.uid;
  }

  has(uid: string): boolean {
    return this.records.has(uid);
  }

  *keys(namespace?: string): Iterable<string> {
    for (const [uid, r] of this.records) if (namespace === undefined || r.view.namespace === namespace) yield uid;
  }

  upsert(v: SparkApplicationView, mode: ApplyMode, nowMs: number): boolean {
    this.version++;
    if (!this.opts.ownsNamespace(v.namespace)) return false;
    let rec = this.records.get(v.uid);
    const failure = FAILED_STATES.has(v.state) ? `${v.state}/${v.attempt}` : undefined;
    const changed = rec === undefined || rec.view.state !== v.state || rec.view.attempt !== v.attempt || rec.view.team !== v.team || rec.view.sparkAppId !== v.sparkAppId || !sameSettings(rec.view, v);
    if (!rec) {
      // A failure that predates this process was counted by its predecessor, if by anyone.
      rec = { view: v, countedFailure: mode === 'initial' ? failure : undefined };
      this.records.set(v.uid, rec);
    }
    this.unindex(rec.view);
    rec.view = v;
    this.index(v);
    if (failure && rec.countedFailure !== failure) {
      rec.countedFailure = failure;
      const key = `${v.namespace}\u0000${v.name}\u0000${v.state}`;
      const f = this.failures.get(key) ?? { namespace: v.namespace, name: v.name, state: v.state, labelTeam: v.team, count: 0, lastMs: nowMs };
      f.count++;
      f.lastMs = nowMs;
      f.labelTeam = v.team;
      this.failures.set(key, f);
    }
    return changed;
  }

  remove(v: SparkApplicationView): boolean {
    this.version++;
    return this.removeKey(v.uid);
  }

  removeKey(uid: string): boolean {
    this.version++;
    const rec = this.records.get(uid);
    if (!rec) return false;
    this.unindex(rec.view);
    return this.records.delete(uid);
  }

  /**
   * The SparkApplication of a Spark application's pods: by the id the operator records in its
   * status, else by the operator's app-name label the pods carry (their app name then).
   */
  forApp(namespace: string, appId: string, appName: string): SparkApplicationView | undefined {
    const uid = this.byAppId.get(`${namespace}/${appId}`) ?? this.byName.get(`${namespace}\u0000${appName}`);
    return uid === undefined ? undefined : this.records.get(uid)?.view;
  }

  private index(v: SparkApplicationView): void {
    if (v.sparkAppId) this.byAppId.set(`${v.namespace}/${v.sparkAppId}`, v.uid);
    this.byName.set(`${v.namespace}\u0000${v.name}`, v.uid);
  }

  private unindex(v: SparkApplicationView): void {
    if (v.sparkAppId && this.byAppId.get(`${v.namespace}/${v.sparkAppId}`) === v.uid) this.byAppId.delete(`${v.namespace}/${v.sparkAppId}`);
    if (this.byName.get(`${v.namespace}\u0000${v.name}`) === v.uid) this.byName.delete(`${v.namespace}\u0000${v.name}`);
  }

  /** Failures of applications gone longer than the retention lose their series. */
  tick(nowMs: number): void {
    let live: Set<string> | undefined;
    for (const [key, f] of this.failures) {
      if (nowMs - f.lastMs < this.opts.retentionMs) continue;
      live ??= new Set([...this.records.values()].map((r) => `${r.view.namespace}\u0000${r.view.name}`));
      if (live.has(`${f.namespace}\u0000${f.name}`)) continue;
      this.failures.delete(key);
      this.version++;
    }
  }
}

function sameSettings(a: SparkApplicationView, b: SparkApplicationView): boolean {
  const x = a.executors.dynamicAllocation;
  const y = b.executors.dynamicAllocation;
  if (a.executors.floor !== b.executors.floor || x.size !== y.size) return false;
  for (const [k, v] of x) if (y.get(k) !== v) return false;
  return true;
}
