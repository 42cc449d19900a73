/**
 * Spark pods as the model holds them: a compact record per pod, grouped by application, with the
 * counters derived from their changes, and the per-name and per-namespace histories that outlive
 * any one application (lifetimes, churn, startup latency).
 *
 * Counting is exact-once by construction: every count is guarded by a flag on the record it
 * belongs to, so duplicate events, relists and reconnects cannot count twice; what existed before
 * this process's first list ("initial" mode) is remembered as seen but never counted, so a restart
 * does not count again what the previous process counted.
 *
 * Teams are not stored with the histories: they are resolved when rendered (pod label, else the
 * namespace's), so a team label that arrives or changes later never leaves a series frozen.
 */
import { LIFETIME_BUCKETS, STARTUP_BUCKETS, type ExitReason, type PendingReason, type Role } from '../catalogue/metrics.js';
import { AppRecord, type PodRecord } from './app-record.js';
import type { DriverEvidence } from './failure-reason.js';
import { Histogram } from './histogram.js';
import type { ApplyMode, Store } from './relist.js';
import type { SparkPodView } from './spark-pod.js';

export interface PodsOptions {
  readonly retentionMs: number;
  readonly churnWindowMs: number;
  /** How long a missing executor id may still arrive late before it counts as skipped. */
  readonly gapGraceMs: number;
  /** Sharding: whether this process owns a namespace's series. */
  readonly ownsNamespace: (namespace: string) => boolean;
  /** Told of a pod whose data the model declines (counted and logged by the caller). */
  readonly reject?: (reason: 'implausible_executor_id', detail: string) => void;
}

/** Series keyed by application name rather than id, so reruns of a job share one history. */
export interface NameStats {
  readonly namespace: string;
  readonly appName: string;
  /** Team label of the name's latest pods; the namespace's team is the fallback. */
  podTeam: string | undefined;
  readonly lifetimes: Histogram;
  /** Wall times of exits within the churn window, oldest first. */
  readonly exitTimes: number[];
  liveApps: number;
  idleSinceMs: number | undefined;
}

/** Startup latency per namespace, pod team label and role; rendered per resolved team. */
export interface StartupStats {
  readonly namespace: string;
  readonly podTeam: string | undefined;
  readonly role: Role;
  readonly hist: Histogram;
  lastMs: number;
}

export class PodsModel implements Store<SparkPodView> {
  readonly records = new Map<string, PodRecord>();
  readonly apps = new Map<string, AppRecord>();
  readonly names = new Map<string, NameStats>();
  readonly startups = new Map<string, StartupStats>();
  private readonly liveAppsByNamespace = new Map<string, number>();
  /** `namespace\u0000app name` → its applications (one per attempt): how a SparkApplication finds its driver. */
  private readonly appsByName = new Map<string, Set<AppRecord>>();

  constructor(readonly opts: PodsOptions) {}

  key(v: SparkPodView): string {
    return v.uid;
  }

  has(uid: string): boolean {
    return this.records.has(uid);
  }

  *keys(namespace?: string): Iterable<string> {
    for (const [uid, rec] of this.records) if (namespace === undefined || rec.app.namespace === namespace) yield uid;
  }

  /** Whether any application of the namespace is live (so its startup history is kept). */
  hasLiveApps(namespace: string): boolean {
    return this.liveAppsByNamespace.has(namespace);
  }

  upsert(v: SparkPodView, mode: ApplyMode, nowMs: number): boolean {
    let rec = this.records.get(v.uid);
    const firstSight = rec === undefined;
    if (!rec) {
      if (!this.opts.ownsNamespace(v.namespace)) return false;
      rec = this.createRecord(v, mode, nowMs);
    }
    const app = rec.app;
    app.version++;
    const changed = firstSight || rec.phase !== v.phase || rec.pendingReason !== v.pendingReason || rec.deleting !== v.deleting;
    rec.name = v.name;
    rec.phase = v.phase;
    rec.pendingReason = v.pendingReason;
    if (v.createdMs !== undefined) rec.createdMs = v.createdMs;
    if (v.team) {
      app.podTeam = v.team;
      const stats = this.names.get(nameKey(app.namespace, app.appName));
      if (stats) stats.podTeam = v.team;
    }
    if (v.appName !== app.appName && v.appName !== v.appId) {
      this.unindexName(app);
      app.appName = v.appName;
      this.indexName(app);
    }
    const ended = isEnded(v);
    if (v.deleting && !rec.deleting) {
      rec.deleting = true;
      rec.deletionRequestedMs ??= nowMs;
    }

    if (v.role === 'executor') rememberShape(app, v);
    else {
      app.hasDriver = true;
      app.driverSpotEligible = ended ? undefined : v.spotEligible;
      if (v.phase === 'Pending' && !ended) app.driverPending = v.pendingReason;
      else if (v.phase === 'Running' || v.phase === 'Succeeded') app.driverPending = undefined;
    }

    if (!rec.startupObserved && v.runningSinceMs !== undefined) {
      rec.startupObserved = true;
      if (rec.createdMs !== undefined) this.observeStartup(app, v.role, (v.runningSinceMs - rec.createdMs) / 1000, nowMs);
    }
    if (ended) rec.startupObserved = true;

    for (const k of v.oomKills) {
      rec.oomKeys ??= [];
      if (rec.oomKeys.includes(k.key)) continue;
      rec.oomKeys.push(k.key);
      app.countOom(v.role, k.container);
    }

    if (!rec.exitCounted && ended) {
      this.countExit(rec, exitReasonOf(v, rec), v.terminated?.finishedMs, nowMs);
    }
    return changed;
  }

  /** A DELETED pod: its final state first (it may show an OOMKill never seen before), then the end. */
  remove(v: SparkPodView, nowMs: number): boolean {
    this.upsert(v, 'watch', nowMs);
    return this.end(v.uid, v, nowMs);
  }

  removeKey(uid: string, nowMs: number): boolean {
    return this.end(uid, undefined, nowMs);
  }

  private end(uid: string, v: SparkPodView | undefined, nowMs: number): boolean {
    const rec = this.records.get(uid);
    if (!rec) return false;
    if (rec.role === 'driver') rec.app.driverSpotEligible = undefined;
    if (!rec.exitCounted) {
      const reason: ExitReason = v?.disruption ?? (rec.oomKeys?.length ? 'oom_killed' : 'deleted');
      this.countExit(rec, reason, v?.terminated?.finishedMs, nowMs);
    }
    this.records.delete(uid);
    const app = rec.app;
    app.version++;
    app.pods.delete(rec);
    if (app.pods.size === 0) app.emptySinceMs = nowMs;
    return true;
  }

  private createRecord(v: SparkPodView, mode: ApplyMode, nowMs: number): PodRecord {
    const app = this.appFor(v, nowMs);
    // Seen in this process's first list: it existed before us, so whatever it already did was
    // counted by a predecessor (or before any exporter ran) and must not be counted again.
    const historical = mode === 'initial';
    const ended = isEnded(v);
    const rec: PodRecord = {
      uid: v.uid,
      app,
      role: v.role,
      execId: v.execId,
      container: intern(v.sparkContainer),
      name: v.name,
      phase: v.phase,
      pendingReason: v.pendingReason,
      createdMs: v.createdMs,
      firstSeenMs: nowMs,
      deleting: v.deleting,
      deletionRequestedMs: v.deleting ? nowMs : undefined,
      exitCounted: historical && ended,
      startupObserved: historical && (v.phase !== 'Pending' || ended),
      oomKeys: historical && v.oomKills.length > 0 ? v.oomKills.map((k) => k.key) : undefined,
    };
    this.records.set(v.uid, rec);
    app.pods.add(rec);
    // The OOMKill counter exists at zero from the first sighting, so increase() sees the first kill.
    if (v.sparkContainer) {
      const k = `${v.role}\u0000${v.sparkContainer}`;
      if (!app.ooms.has(k)) app.ooms.set(k, 0);
    }
    app.emptySinceMs = undefined;
    if (v.role === 'executor') {
      if (!historical) app.starts++;
      // Holes a relist reveals count too: an id no pod ever carried was never seen as a pod.
      if (v.execId !== undefined && app.ids.observe(v.execId, !historical, nowMs) === 'implausible') {
        this.opts.reject?.('implausible_executor_id', `${v.namespace}/${v.name}: executor id ${v.execId} after ${app.ids.maxId}`);
      }
    }
    return rec;
  }

  private appFor(v: SparkPodView, nowMs: number): AppRecord {
    const key = `${v.namespace}/${v.appId}`;
    let app = this.apps.get(key);
    if (!app) {
      app = new AppRecord(key, v.namespace, v.appId, v.appName);
      this.apps.set(key, app);
      this.indexName(app);
      this.liveAppsByNamespace.set(v.namespace, (this.liveAppsByNamespace.get(v.namespace) ?? 0) + 1);
      const ns = this.nameStats(v.namespace, v.appName, nowMs);
      ns.liveApps++;
      ns.idleSinceMs = undefined;
      if (v.team) ns.podTeam = v.team;
    }
    return app;
  }

  private countExit(rec: PodRecord, reason: ExitReason, finishedMs: number | undefined, nowMs: number): void {
    rec.exitCounted = true;
    const app = rec.app;
    app.countExit(reason, rec.role);
    if (rec.role === 'driver') app.driverExit = reason;
    // Lifetimes and churn are about executors; a driver's end is the application's.
    if (rec.role === 'driver') return;
    const stats = this.nameStats(app.namespace, app.appName, nowMs);
    if (app.podTeam) stats.podTeam = app.podTeam;
    stats.exitTimes.push(nowMs);
    const end = finishedMs ?? rec.deletionRequestedMs ?? nowMs;
    // Object times and our clock may disagree (skew, a simulated clock): never export a negative age.
    let lifetimeMs = rec.createdMs !== undefined ? end - rec.createdMs : NaN;
    if (!(lifetimeMs >= 0)) lifetimeMs = nowMs - rec.firstSeenMs;
    stats.lifetimes.observe(lifetimeMs / 1000);
  }

  private observeStartup(app: AppRecord, role: Role, seconds: number, nowMs: number): void {
    if (!(seconds >= 0)) return;
    const key = `${app.namespace}\u0000${app.podTeam ?? ''}\u0000${role}`;
    let s = this.startups.get(key);
    if (!s) {
      s = { namespace: app.namespace, podTeam: app.podTeam, role, hist: new Histogram(STARTUP_BUCKETS), lastMs: nowMs };
      this.startups.set(key, s);
    }
    s.lastMs = nowMs;
    s.hist.observe(seconds);
  }

  private nameStats(namespace: string, appName: string, nowMs: number): NameStats {
    const key = nameKey(namespace, appName);
    let s = this.names.get(key);
    if (!s) {
      s = { namespace, appName, podTeam: undefined, lifetimes: new Histogram(LIFETIME_BUCKETS), exitTimes: [], liveApps: 0, idleSinceMs: nowMs };
      this.names.set(key, s);
    }
    return s;
  }

  private indexName(app: AppRecord): void {
    const k = nameKey(app.namespace, app.appName);
    let set = this.appsByName.get(k);
    if (!set) this.appsByName.set(k, (set = new Set()));
    set.add(app);
  }

  private unindexName(app: AppRecord): void {
    const k = nameKey(app.namespace, app.appName);
    const set = this.appsByName.get(k);
    if (!set) return;
    set.delete(app);
    if (set.size === 0) this.appsByName.delete(k);
  }

  /**
   * What is known of a SparkApplication's driver pod: the application its status names (by
   * spark-app-selector), else the one of that name (the operator's app-name label) whose driver
   * is live, else the one whose driver was seen last. Undefined when no driver was ever seen.
   */
  driverEvidence(namespace: string, appId: string | undefined, appName: string): DriverEvidence | undefined {
    let app = appId !== undefined ? this.apps.get(`${namespace}/${appId}`) : undefined;
    if (!app?.hasDriver) {
      app = undefined;
      for (const a of this.appsByName.get(nameKey(namespace, appName)) ?? []) {
        if (!a.hasDriver) continue;
        if (liveDriver(a)) {
          app = a;
          break;
        }
        app = a;
      }
    }
    if (!app) return undefined;
    const d = liveDriver(app);
    const status = d ? (d.phase === 'Pending' ? (d.pendingReason ?? 'other') : d.phase === 'Running' ? 'running' : 'ended') : 'ended';
    return { exit: app.driverExit, pending: app.driverPending as PendingReason | undefined, status };
  }

  /**
   * Advances time-based state: executor-id gaps that never filled become skipped ids, churn
   * windows slide, and applications gone longer than the retention lose their series.
   */
  tick(nowMs: number): void {
    const { retentionMs, churnWindowMs, gapGraceMs } = this.opts;
    for (const app of this.apps.values()) {
      const gaps = app.ids.gaps.length;
      app.ids.expire(nowMs, gapGraceMs);
      if (app.ids.gaps.length !== gaps) app.version++;
      if (app.emptySinceMs !== undefined && nowMs - app.emptySinceMs >= retentionMs) this.dropApp(app, nowMs);
    }
    for (const [key, s] of this.names) {
      const cutoff = nowMs - churnWindowMs;
      let drop = 0;
      while (drop < s.exitTimes.length && (s.exitTimes[drop] ?? 0) < cutoff) drop++;
      if (drop > 0) s.exitTimes.splice(0, drop);
      if (s.liveApps === 0 && s.idleSinceMs !== undefined && nowMs - s.idleSinceMs >= retentionMs) this.names.delete(key);
    }
    for (const [key, s] of this.startups) {
      if (!this.liveAppsByNamespace.has(s.namespace) && nowMs - s.lastMs >= retentionMs) this.startups.delete(key);
    }
  }

  private dropApp(app: AppRecord, nowMs: number): void {
    this.apps.delete(app.key);
    this.unindexName(app);
    const n = (this.liveAppsByNamespace.get(app.namespace) ?? 1) - 1;
    if (n > 0) this.liveAppsByNamespace.set(app.namespace, n);
    else this.liveAppsByNamespace.delete(app.namespace);
    const s = this.names.get(nameKey(app.namespace, app.appName));
    if (s) {
      s.liveApps = Math.max(0, s.liveApps - 1);
      if (s.liveApps === 0) s.idleSinceMs = app.emptySinceMs ?? nowMs;
    }
  }
}

function liveDriver(app: AppRecord): PodRecord | undefined {
  for (const p of app.pods) if (p.role === 'driver' && !p.exitCounted && !p.deleting) return p;
  return undefined;
}

// A handful of container names repeat over every pod: one string each, not one per pod.
const containerNames = new Map<string, string>();
function intern(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  let s = containerNames.get(name);
  if (s === undefined) {
    if (containerNames.size > 1000) containerNames.clear();
    containerNames.set(name, (s = name));
  }
  return s;
}

function nameKey(namespace: string, appName: string): string {
  return `${namespace}\u0000${appName}`;
}

function rememberShape(app: AppRecord, v: SparkPodView): void {
  if (v.heapBytes !== undefined) app.heapBytes = v.heapBytes;
  if (v.memoryRequestBytes !== undefined) app.memoryRequestBytes = v.memoryRequestBytes;
  if (v.memoryLimitBytes !== undefined) app.memoryLimitBytes = v.memoryLimitBytes;
  if (v.cpuRequest !== undefined) app.cpuRequest = v.cpuRequest;
  app.cpuLimit = v.cpuLimit;
}

export function isEnded(v: SparkPodView): boolean {
  return v.phase === 'Succeeded' || v.phase === 'Failed' || v.terminated !== undefined || v.inactive;
}

/** Why a pod that has ended, ended: the most specific cause visible in its final state. */
export function exitReasonOf(v: SparkPodView, rec: Pick<PodRecord, 'deleting' | 'oomKeys'>): ExitReason {
  if (v.oomKills.length > 0 || (rec.oomKeys?.length ?? 0) > 0) return 'oom_killed';
  if (v.disruption) return v.disruption;
  if (rec.deleting) return 'deleted';
  if (v.phase === 'Succeeded' || (v.terminated && v.terminated.exitCode === 0)) return 'completed';
  return 'error';
}
