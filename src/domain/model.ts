/**
 * The exporter's model of the cluster: compact pod records grouped by Spark application, quotas,
 * namespaces' team labels and SparkApplications, with the counters derived from their changes.
 *
 * Pure and synchronous: sources feed it parsed views and the time, the metrics layer reads it.
 * Counting is exact-once by construction: every count is guarded by a flag on the record it
 * belongs to, so duplicate events, relists and reconnects cannot count twice; what existed before
 * this process's first list ("initial" mode) is remembered as seen but never counted, so a restart
 * does not count again what the previous process counted.
 */
import { LIFETIME_BUCKETS, STARTUP_BUCKETS, type ExitReason, type Role } from '../catalogue/metrics.js';
import { AppState, type PodRecord } from './app-state.js';
import { Histogram } from './histogram.js';
import type { QuotaView } from './quota.js';
import { FAILED_STATES, type SparkApplicationView } from './spark-application.js';
import type { SparkPodView } from './spark-pod.js';

/** initial: the first list of this process; relist: a later list (410, audit); watch: an event. */
export type ApplyMode = 'initial' | 'relist' | 'watch';

export interface ModelOptions {
  readonly retentionMs: number;
  readonly churnWindowMs: number;
  /** How long a missing executor id may still arrive late before it counts as skipped. */
  readonly gapGraceMs: number;
  /** Sharding: whether this process owns a namespace's series. */
  readonly ownsNamespace: (namespace: string) => boolean;
}

export const DEFAULT_MODEL_OPTIONS: ModelOptions = {
  retentionMs: 10 * 60_000,
  churnWindowMs: 5 * 60_000,
  gapGraceMs: 30_000,
  ownsNamespace: () => true,
};

// More than this many ids missing at once is not a quota rejection but a bad label.
const MAX_GAP = 1000;

/** Series keyed by application name rather than id, so reruns of a job share one history. */
export interface NameStats {
  readonly namespace: string;
  readonly appName: string;
  team: string;
  readonly lifetimes: Histogram;
  /** Wall times of exits within the churn window, oldest first. */
  readonly exitTimes: number[];
  liveApps: number;
  idleSinceMs: number | undefined;
}

export interface StartupStats {
  readonly namespace: string;
  readonly team: string;
  readonly role: Role;
  readonly hist: Histogram;
  lastMs: number;
}

export interface ApplicationFailures {
  readonly namespace: string;
  readonly name: string;
  readonly state: string;
  team: string;
  count: number;
  lastMs: number;
}

interface SparkAppRecord {
  view: SparkApplicationView;
  /** `state/attempt` of the last failure counted, so each failed attempt counts once. */
  countedFailure: string | undefined;
}

export interface RelistResult {
  readonly added: number;
  readonly removed: number;
  readonly changed: number;
}

export class Model {
  readonly pods = new Map<string, PodRecord>();
  readonly apps = new Map<string, AppState>();
  readonly names = new Map<string, NameStats>();
  readonly startups = new Map<string, StartupStats>();
  readonly quotas = new Map<string, QuotaView>();
  readonly namespaceTeams = new Map<string, string>();
  readonly sparkApps = new Map<string, SparkAppRecord>();
  readonly appFailures = new Map<string, ApplicationFailures>();
  private readonly liveAppsByNamespace = new Map<string, number>();

  constructor(readonly opts: ModelOptions = DEFAULT_MODEL_OPTIONS) {}

  // --- pods -----------------------------------------------------------------------------------

  /** Applies an ADDED/MODIFIED pod (or one item of a list). Returns whether anything changed. */
  applyPod(v: SparkPodView, mode: ApplyMode, nowMs: number): boolean {
    let rec = this.pods.get(v.uid);
    const firstSight = rec === undefined;
    if (!rec) {
      if (!this.opts.ownsNamespace(v.namespace)) return false;
      rec = this.createRecord(v, mode, nowMs);
    }
    const app = rec.app;
    const changed = firstSight || rec.phase !== v.phase || rec.pendingReason !== v.pendingReason || rec.deleting !== v.deleting;
    rec.name = v.name;
    rec.phase = v.phase;
    rec.pendingReason = v.pendingReason;
    if (v.createdMs !== undefined) rec.createdMs = v.createdMs;
    if (v.team) app.podTeam = v.team;
    if (v.appName !== app.appName && v.appName !== v.appId) app.appName = v.appName;
    const ended = isEnded(v);
    if (v.deleting && !rec.deleting) {
      rec.deleting = true;
      rec.deletionRequestedMs ??= nowMs;
    }

    if (v.role === 'executor') this.rememberShape(app, v);
    else {
      app.hasDriver = true;
      app.driverSpotEligible = ended ? undefined : v.spotEligible;
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

  /** Applies a DELETED pod: its final state first (it may show an OOMKill never seen before), then the end. */
  deletePod(v: SparkPodView | undefined, uid: string, nowMs: number): boolean {
    if (v) this.applyPod(v, 'watch', nowMs);
    const rec = this.pods.get(uid);
    if (!rec) return false;
    if (rec.role === 'driver') rec.app.driverSpotEligible = undefined;
    if (!rec.exitCounted) {
      const reason: ExitReason = v?.disruption ?? (rec.oomKeys?.length ? 'oom_killed' : 'deleted');
      this.countExit(rec, reason, v?.terminated?.finishedMs, nowMs);
    }
    this.pods.delete(uid);
    const app = rec.app;
    app.pods.delete(rec);
    if (app.pods.size === 0) app.emptySinceMs = nowMs;
    return true;
  }

  /**
   * Replaces the pod set with a full list: unknown pods are applied, pods the list lacks were
   * deleted while the watch was away. Returns what differed, which an audit counts as drift.
   */
  relistPods(views: Iterable<SparkPodView>, mode: ApplyMode, nowMs: number, namespace?: string): RelistResult {
    const seen = new Set<string>();
    let added = 0;
    let changed = 0;
    for (const v of views) {
      seen.add(v.uid);
      const known = this.pods.has(v.uid);
      if (this.applyPod(v, mode, nowMs)) {
        if (known) changed++;
        else if (this.pods.has(v.uid)) added++;
      }
    }
    let removed = 0;
    // A list of one namespace (--namespaces) speaks only for that namespace.
    for (const [uid, rec] of [...this.pods]) {
      if (seen.has(uid) || (namespace !== undefined && rec.app.namespace !== namespace)) continue;
      if (this.deletePod(undefined, uid, nowMs)) removed++;
    }
    return { added, removed, changed };
  }

  private createRecord(v: SparkPodView, mode: ApplyMode, nowMs: number): PodRecord {
    const app = this.appFor(v, mode, nowMs);
    // Seen in this process's first list: it existed before us, so whatever it already did was
    // counted by a predecessor (or before any exporter ran) and must not be counted again.
    const historical = mode === 'initial';
    const ended = isEnded(v);
    const rec: PodRecord = {
      uid: v.uid,
      app,
      role: v.role,
      execId: v.execId,
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
    this.pods.set(v.uid, rec);
    app.pods.add(rec);
    // The OOMKill counter exists at zero from the first sighting, so increase() sees the first kill.
    if (v.sparkContainer) {
      const k = `${v.role}\u0000${v.sparkContainer}`;
      if (!app.ooms.has(k)) app.ooms.set(k, 0);
    }
    app.emptySinceMs = undefined;
    if (v.role === 'executor') {
      if (!historical) app.starts++;
      this.trackExecId(app, v.execId, historical || mode === 'relist', nowMs);
    }
    return rec;
  }

  private appFor(v: SparkPodView, mode: ApplyMode, nowMs: number): AppState {
    const key = `${v.namespace}/${v.appId}`;
    let app = this.apps.get(key);
    if (!app) {
      app = new AppState(key, v.namespace, v.appId, v.appName);
      this.apps.set(key, app);
      this.liveAppsByNamespace.set(v.namespace, (this.liveAppsByNamespace.get(v.namespace) ?? 0) + 1);
      const ns = this.nameStats(v.namespace, v.appName, this.teamOf(app), nowMs);
      ns.liveApps++;
      ns.idleSinceMs = undefined;
      void mode;
    }
    return app;
  }

  private trackExecId(app: AppState, id: number | undefined, baselineOnly: boolean, nowMs: number): void {
    if (id === undefined) return;
    if (app.gaps.delete(id)) return;
    if (id <= app.maxExecId) return;
    if (!baselineOnly && id - app.maxExecId - 1 <= MAX_GAP) {
      for (let g = app.maxExecId + 1; g < id; g++) app.gaps.set(g, nowMs);
    }
    app.maxExecId = id;
  }

  private rememberShape(app: AppState, v: SparkPodView): void {
    if (v.heapBytes !== undefined) app.heapBytes = v.heapBytes;
    if (v.memoryRequestBytes !== undefined) app.memoryRequestBytes = v.memoryRequestBytes;
    if (v.memoryLimitBytes !== undefined) app.memoryLimitBytes = v.memoryLimitBytes;
    if (v.cpuRequest !== undefined) app.cpuRequest = v.cpuRequest;
    app.cpuLimit = v.cpuLimit;
  }

  private countExit(rec: PodRecord, reason: ExitReason, finishedMs: number | undefined, nowMs: number): void {
    rec.exitCounted = true;
    const app = rec.app;
    app.countExit(reason, rec.role);
    // Lifetimes and churn are about executors; a driver's end is the application's.
    if (rec.role === 'driver') return;
    const team = this.teamOf(app);
    const stats = this.nameStats(app.namespace, app.appName, team, nowMs);
    stats.exitTimes.push(nowMs);
    const end = finishedMs ?? rec.deletionRequestedMs ?? nowMs;
    // Object times and our clock may disagree (skew, a simulated clock): never export a negative age.
    let lifetimeMs = rec.createdMs !== undefined ? end - rec.createdMs : NaN;
    if (!(lifetimeMs >= 0)) lifetimeMs = nowMs - rec.firstSeenMs;
    stats.lifetimes.observe(lifetimeMs / 1000);
  }

  private observeStartup(app: AppState, role: Role, seconds: number, nowMs: number): void {
    if (!(seconds >= 0)) return;
    const team = this.teamOf(app);
    const key = `${app.namespace}\u0000${team}\u0000${role}`;
    let s = this.startups.get(key);
    if (!s) {
      s = { namespace: app.namespace, team, role, hist: new Histogram(STARTUP_BUCKETS), lastMs: nowMs };
      this.startups.set(key, s);
    }
    s.lastMs = nowMs;
    s.hist.observe(seconds);
  }

  private nameStats(namespace: string, appName: string, team: string, nowMs: number): NameStats {
    const key = `${namespace}\u0000${appName}`;
    let s = this.names.get(key);
    if (!s) {
      s = { namespace, appName, team, lifetimes: new Histogram(LIFETIME_BUCKETS), exitTimes: [], liveApps: 0, idleSinceMs: nowMs };
      this.names.set(key, s);
    }
    s.team = team;
    return s;
  }

  // --- quotas, namespaces, SparkApplications -----------------------------------------------------

  applyQuota(q: QuotaView): void {
    this.quotas.set(q.uid, q);
  }

  deleteQuota(uid: string): void {
    this.quotas.delete(uid);
  }

  relistQuotas(views: Iterable<QuotaView>, namespace?: string): RelistResult {
    const before = new Map([...this.quotas].filter(([, q]) => namespace === undefined || q.namespace === namespace));
    for (const uid of before.keys()) this.quotas.delete(uid);
    let added = 0;
    let changed = 0;
    for (const q of views) {
      const old = before.get(q.uid);
      if (!old) added++;
      else if (!sameQuota(old, q)) changed++;
      before.delete(q.uid);
      this.quotas.set(q.uid, q);
    }
    return { added, removed: before.size, changed };
  }

  quotasIn(namespace: string): QuotaView[] {
    const out: QuotaView[] = [];
    for (const q of this.quotas.values()) if (q.namespace === namespace) out.push(q);
    return out;
  }

  setNamespaceTeam(namespace: string, team: string | undefined): void {
    if (team) this.namespaceTeams.set(namespace, team);
    else this.namespaceTeams.delete(namespace);
  }

  relistNamespaces(entries: Iterable<[string, string | undefined]>): void {
    this.namespaceTeams.clear();
    for (const [ns, team] of entries) this.setNamespaceTeam(ns, team);
  }

  applySparkApplication(v: SparkApplicationView, mode: ApplyMode, nowMs: number): void {
    if (!this.opts.ownsNamespace(v.namespace)) return;
    let rec = this.sparkApps.get(v.uid);
    const failure = FAILED_STATES.has(v.state) ? `${v.state}/${v.attempt}` : undefined;
    if (!rec) {
      // A failure that predates this process was counted by its predecessor, if by anyone.
      rec = { view: v, countedFailure: mode === 'initial' ? failure : undefined };
      this.sparkApps.set(v.uid, rec);
    }
    rec.view = v;
    if (failure && rec.countedFailure !== failure) {
      rec.countedFailure = failure;
      const team = v.team ?? this.namespaceTeams.get(v.namespace) ?? '';
      const key = `${v.namespace}\u0000${v.name}\u0000${v.state}`;
      const f = this.appFailures.get(key) ?? { namespace: v.namespace, name: v.name, state: v.state, team, count: 0, lastMs: nowMs };
      f.count++;
      f.lastMs = nowMs;
      f.team = team;
      this.appFailures.set(key, f);
    }
  }

  deleteSparkApplication(uid: string): void {
    this.sparkApps.delete(uid);
  }

  relistSparkApplications(views: Iterable<SparkApplicationView>, mode: ApplyMode, nowMs: number, namespace?: string): RelistResult {
    const seen = new Set<string>();
    let added = 0;
    for (const v of views) {
      if (!this.sparkApps.has(v.uid)) added++;
      seen.add(v.uid);
      this.applySparkApplication(v, mode, nowMs);
    }
    let removed = 0;
    for (const [uid, rec] of [...this.sparkApps]) {
      if (!seen.has(uid) && (namespace === undefined || rec.view.namespace === namespace)) {
        this.sparkApps.delete(uid);
        removed++;
      }
    }
    return { added, removed, changed: 0 };
  }

  // --- time -----------------------------------------------------------------------------------

  /**
   * Advances time-based state: executor-id gaps that never filled become skipped ids, churn
   * windows slide, and applications gone longer than the retention lose their series.
   */
  tick(nowMs: number): void {
    const { retentionMs, churnWindowMs, gapGraceMs } = this.opts;
    for (const app of this.apps.values()) {
      for (const [id, since] of app.gaps) {
        if (nowMs - since >= gapGraceMs) {
          app.gaps.delete(id);
          app.skipped++;
        }
      }
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
    for (const [key, f] of this.appFailures) {
      if (nowMs - f.lastMs >= retentionMs && ![...this.sparkApps.values()].some((r) => r.view.namespace === f.namespace && r.view.name === f.name)) {
        this.appFailures.delete(key);
      }
    }
  }

  private dropApp(app: AppState, nowMs: number): void {
    this.apps.delete(app.key);
    const n = (this.liveAppsByNamespace.get(app.namespace) ?? 1) - 1;
    if (n > 0) this.liveAppsByNamespace.set(app.namespace, n);
    else this.liveAppsByNamespace.delete(app.namespace);
    const s = this.names.get(`${app.namespace}\u0000${app.appName}`);
    if (s) {
      s.liveApps = Math.max(0, s.liveApps - 1);
      if (s.liveApps === 0) s.idleSinceMs = app.emptySinceMs ?? nowMs;
    }
  }

  // --- reading --------------------------------------------------------------------------------

  teamOf(app: AppState): string {
    return app.podTeam ?? this.namespaceTeams.get(app.namespace) ?? '';
  }

  teamOfNamespace(namespace: string): string {
    return this.namespaceTeams.get(namespace) ?? '';
  }
}

export function isEnded(v: SparkPodView): boolean {
  return v.phase === 'Succeeded' || v.phase === 'Failed' || v.terminated !== undefined || v.inactive;
}

/** Why an executor that has ended, ended: the most specific cause visible in its final state. */
export function exitReasonOf(v: SparkPodView, rec: Pick<PodRecord, 'deleting' | 'oomKeys'>): ExitReason {
  if (v.oomKills.length > 0 || (rec.oomKeys?.length ?? 0) > 0) return 'oom_killed';
  if (v.disruption) return v.disruption;
  if (rec.deleting) return 'deleted';
  if (v.phase === 'Succeeded' || (v.terminated && v.terminated.exitCode === 0)) return 'completed';
  return 'error';
}

function sameQuota(a: QuotaView, b: QuotaView): boolean {
  if (a.hard.size !== b.hard.size || a.used.size !== b.used.size) return false;
  for (const [k, v] of a.hard) if (b.hard.get(k) !== v) return false;
  for (const [k, v] of a.used) if (b.used.get(k) !== v) return false;
  return true;
}
