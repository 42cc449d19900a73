/**
 * SparkApplications of both operators as the model holds them: each one's parsed view and when it
 * entered its state, the applications that ended failed for good and the failed attempts the
 * operator retried, counted from their status and kept beyond the objects for the retention.
 *
 * Counting is exact-once like the pods': a failure is keyed by its attempt, retries by the
 * status' own attempt counters (a watch gap or a relist sees the counters moved and counts the
 * difference, never a transition twice), and what the first list shows (mode `initial`) is the
 * baseline: a predecessor process counted it, if anyone did.
 */
import type { FailureReason, Operator } from '../catalogue/metrics.js';
import { APACHE_FAILURES } from './apache-spark-application.js';
import { classifyFailure, type DriverEvidence } from './failure-reason.js';
import type { ApplyMode, Store } from './relist.js';
import type { SparkApplicationView } from './spark-application.js';

export interface ApplicationCounter {
  readonly namespace: string;
  readonly name: string;
  readonly operator: Operator;
  /** The application's team label; the namespace's team is the fallback, resolved when rendered. */
  labelTeam: string | undefined;
  count: number;
  lastMs: number;
}

export interface ApplicationFailures extends ApplicationCounter {
  readonly state: string;
  readonly reason: FailureReason;
}

interface SparkApplicationRecord {
  view: SparkApplicationView;
  /** When this process saw the current state begin (the first sighting for a listed object). */
  observedSinceMs: number;
  /** Seen in the first list and unchanged since: its age may be far older than `observedSinceMs`. */
  predates: boolean;
  /** Key of the final failure already counted (or already there before this process started). */
  countedFailure: string | undefined;
  /** kubeflow attempt counters last seen, and whether this lifecycle was ever submitted. */
  submissions: number;
  executions: number;
  submitted: boolean;
  /** How the latest finished attempt ended, as far as seen: a rerun after a success or a terminal state is no retry. */
  lastOutcome: 'failed' | 'succeeded' | 'terminal' | undefined;
  /** Whether the latest submission failed (kubeflow SUBMISSION_FAILED, no driver state since). */
  submissionFailed: boolean;
  /** Apache: the attempt id last seen. */
  attemptId: number;
}

export interface SparkApplicationsOptions {
  readonly retentionMs: number;
  readonly ownsNamespace: (namespace: string) => boolean;
  /** What the pods model knows of the application's driver pod. */
  readonly driverOf?: (v: SparkApplicationView) => DriverEvidence | undefined;
}

const FAILED_KUBEFLOW = new Set(['FAILING', 'SUBMISSION_FAILED']);
const SUCCEEDED_KUBEFLOW = new Set(['SUCCEEDING']);
const TERMINAL_KUBEFLOW = new Set(['COMPLETED', 'FAILED']);

export class SparkApplicationsModel implements Store<SparkApplicationView> {
  /** Bumped by every verb that may change what is held: the metrics layer's cache key for what reads it. */
  version = 0;
  readonly records = new Map<string, SparkApplicationRecord>();
  readonly failures = new Map<string, ApplicationFailures>();
  readonly retries = new Map<string, ApplicationCounter>();
  /** `namespace\u0000schedule` → when its latest COMPLETED run finished, as seen by this process. */
  readonly scheduleSuccessMs = new Map<string, number>();
  /** `namespace/spark app id` and `operator\u0000namespace\u0000name` → uid: how pods find their SparkApplication. */
  private readonly byAppId = new Map<string, string>();
  private readonly byName = new Map<string, string>();

  constructor(private readonly opts: SparkApplicationsOptions) {}

  key(v: SparkApplicationView): string {
    return v.uid;
  }

  has(uid: string): boolean {
    return this.records.has(uid);
  }

  *keys(namespace?: string): Iterable<string> {
    for (const [uid, r] of this.records) if (namespace === undefined || r.view.namespace === namespace) yield uid;
  }

  /**
   * The store one operator's watch feeds: the same records, but a relist of one CRD speaks only
   * for that operator's objects, so it never removes the other's.
   */
  of(operator: Operator): Store<SparkApplicationView> {
    return {
      key: (v) => this.key(v),
      has: (uid) => this.records.get(uid)?.view.operator === operator,
      upsert: (v, mode, nowMs) => this.upsert(v, mode, nowMs),
      remove: (v) => this.remove(v),
      removeKey: (uid) => this.has(uid) && this.records.get(uid)?.view.operator === operator && this.removeKey(uid),
      keys: (namespace) => [...this.keys(namespace)].filter((uid) => this.records.get(uid)?.view.operator === operator),
    };
  }

  /** Objects of one operator held (tracked_objects per resource). */
  countOf(operator: Operator): number {
    let n = 0;
    for (const r of this.records.values()) if (r.view.operator === operator) n++;
    return n;
  }

  upsert(v: SparkApplicationView, mode: ApplyMode, nowMs: number): boolean {
    this.version++;
    if (!this.opts.ownsNamespace(v.namespace)) return false;
    let rec = this.records.get(v.uid);
    const first = rec === undefined;
    const changed = rec === undefined || rec.view.state !== v.state || rec.view.attempt !== v.attempt || rec.view.team !== v.team || rec.view.sparkAppId !== v.sparkAppId || rec.view.stateSinceMs !== v.stateSinceMs || !sameSettings(rec.view, v);
    if (!rec) {
      const historical = mode === 'initial';
      rec = {
        view: v,
        observedSinceMs: nowMs,
        predates: historical,
        // A failure that predates this process was counted by its predecessor, if by anyone.
        countedFailure: historical ? failureKey(v) : undefined,
        submissions: v.submissionAttempts,
        executions: v.executionAttempts,
        submitted: v.submissionAttempts > 0 || v.executionAttempts > 0,
        lastOutcome: undefined,
        submissionFailed: v.state === 'SUBMISSION_FAILED',
        attemptId: v.attemptId,
      };
      this.records.set(v.uid, rec);
      // Created while we watch, but first seen already resubmitted (a watch gap): those count.
      if (!historical && v.operator === 'kubeflow') this.countRetries(v, Math.max(0, Math.max(v.submissionAttempts, v.executionAttempts) - 1), nowMs);
    } else {
      if (rec.view.state !== v.state) {
        rec.observedSinceMs = nowMs;
        rec.predates = false;
      }
      if (v.operator === 'kubeflow') this.kubeflowRetries(rec, v, nowMs);
      else this.apacheRetries(rec, v, nowMs);
    }
    if (v.operator === 'kubeflow') {
      if (FAILED_KUBEFLOW.has(v.state)) rec.lastOutcome = 'failed';
      else if (SUCCEEDED_KUBEFLOW.has(v.state)) rec.lastOutcome = 'succeeded';
      else if (TERMINAL_KUBEFLOW.has(v.state)) rec.lastOutcome = 'terminal';
      // The latest submission failed until a later state shows a driver.
      if (v.state === 'SUBMISSION_FAILED') rec.submissionFailed = true;
      else if (v.state !== 'FAILED') rec.submissionFailed = false;
    }
    this.unindex(rec.view);
    rec.view = v;
    this.index(v);
    const failure = failureKey(v);
    if (failure && rec.countedFailure !== failure) {
      rec.countedFailure = failure;
      const state = v.operator === 'kubeflow' ? v.state : (v.outcome ?? v.state);
      // Never submitted successfully (SUBMISSION_FAILED then FAILED, perhaps unseen): no driver to ask.
      const neverRan = v.executionAttempts === 0 && v.submissionAttempts > 0;
      const reason = classifyFailure(v, this.opts.driverOf?.(v), v.operator === 'kubeflow' && (rec.submissionFailed || neverRan));
      const key = `${v.namespace}\u0000${v.name}\u0000${state}\u0000${reason}\u0000${v.operator}`;
      const f = this.failures.get(key) ?? { namespace: v.namespace, name: v.name, operator: v.operator, state, reason, labelTeam: v.team, count: 0, lastMs: nowMs };
      f.count++;
      f.lastMs = nowMs;
      f.labelTeam = v.team;
      this.failures.set(key, f);
    }
    if (v.scheduledBy && v.state === 'COMPLETED') {
      // Without a terminationTime, a run listed already completed finished at some unknown time.
      const ms = v.terminationMs ?? (first && mode === 'initial' ? undefined : nowMs);
      const k = `${v.namespace}\u0000${v.scheduledBy}`;
      if (ms !== undefined) this.scheduleSuccessMs.set(k, Math.max(this.scheduleSuccessMs.get(k) ?? 0, ms));
    }
    return changed;
  }

  /**
   * Submissions since the last sighting, from both counters: submissionAttempts counts every
   * spark-submit (operators before v2 reset it to 0 on PENDING_RERUN), executionAttempts every
   * successful one; both reset only when a spec change restarts the lifecycle (INVALIDATING).
   * Every submission but a lifecycle's first is a retry, unless it reruns a success (Always) or
   * follows a terminal state (a final failure was counted as one; a rerun then is a new lifecycle).
   */
  private kubeflowRetries(rec: SparkApplicationRecord, v: SparkApplicationView, nowMs: number): void {
    const sub = v.submissionAttempts;
    const exec = v.executionAttempts;
    let fresh: number;
    if (exec < rec.executions) {
      // A new lifecycle (spec changed): its first submission is no retry.
      fresh = Math.max(0, sub - 1);
      rec.submitted = sub > 0 || exec > 0;
      rec.lastOutcome = undefined;
    } else {
      const bySub = sub >= rec.submissions ? sub - rec.submissions : sub;
      fresh = Math.max(bySub, exec - rec.executions);
      if (fresh > 0 && !rec.submitted) fresh--;
      if (sub > 0 || exec > 0) rec.submitted = true;
    }
    rec.submissions = sub;
    rec.executions = exec;
    if (fresh === 0) return;
    if (rec.lastOutcome === 'succeeded' || rec.lastOutcome === 'terminal') fresh--;
    rec.lastOutcome = undefined;
    this.countRetries(v, fresh, nowMs);
  }

  /**
   * Apache bumps the attempt id once per restart; whether the attempt before failed is in the
   * history (previousOutcome), and the consecutive-failure counter covers restarts a gap hid.
   */
  private apacheRetries(rec: SparkApplicationRecord, v: SparkApplicationView, nowMs: number): void {
    const k = v.attemptId - rec.attemptId;
    rec.attemptId = v.attemptId;
    if (k <= 0) return;
    const lastFailed = v.previousOutcome !== undefined ? APACHE_FAILURES.has(v.previousOutcome) : v.failureRestarts > 0 || v.restartPolicy !== 'Always';
    const n = k === 1 ? (lastFailed ? 1 : 0) : Math.max(Math.min(k, v.failureRestarts), lastFailed ? 1 : 0);
    this.countRetries(v, n, nowMs);
  }

  private countRetries(v: SparkApplicationView, n: number, nowMs: number): void {
    if (n <= 0) return;
    const key = `${v.namespace}\u0000${v.name}\u0000${v.operator}`;
    const r = this.retries.get(key) ?? { namespace: v.namespace, name: v.name, operator: v.operator, labelTeam: v.team, count: 0, lastMs: nowMs };
    r.count += n;
    r.lastMs = nowMs;
    r.labelTeam = v.team;
    this.retries.set(key, r);
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
   * When the application entered its state, and whether that is known rather than a lower bound.
   * A status time in the future (clock skew, a simulated clock) is not trusted: the sighting is.
   */
  stateSince(uid: string, nowMs = Infinity): { ms: number; known: boolean } | undefined {
    const rec = this.records.get(uid);
    if (!rec) return undefined;
    if (rec.view.stateSinceMs !== undefined && rec.view.stateSinceMs <= nowMs) return { ms: rec.view.stateSinceMs, known: true };
    return { ms: rec.observedSinceMs, known: !rec.predates };
  }

  /**
   * The SparkApplication of a Spark application's pods: by the id the operator records in its
   * status, else by the operator's app-name label the pods carry (their app name then).
   */
  forApp(namespace: string, appId: string, appName: string): SparkApplicationView | undefined {
    const uid = this.byAppId.get(`${namespace}/${appId}`) ?? this.byName.get(nameKey('kubeflow', namespace, appName)) ?? this.byName.get(nameKey('apache', namespace, appName));
    return uid === undefined ? undefined : this.records.get(uid)?.view;
  }

  /** A kubeflow SparkApplication by name (a ScheduledSparkApplication's run). */
  byNameOf(operator: Operator, namespace: string, name: string): SparkApplicationView | undefined {
    const uid = this.byName.get(nameKey(operator, namespace, name));
    return uid === undefined ? undefined : this.records.get(uid)?.view;
  }

  private index(v: SparkApplicationView): void {
    if (v.sparkAppId) this.byAppId.set(`${v.namespace}/${v.sparkAppId}`, v.uid);
    this.byName.set(nameKey(v.operator, v.namespace, v.name), v.uid);
  }

  private unindex(v: SparkApplicationView): void {
    if (v.sparkAppId && this.byAppId.get(`${v.namespace}/${v.sparkAppId}`) === v.uid) this.byAppId.delete(`${v.namespace}/${v.sparkAppId}`);
    const k = nameKey(v.operator, v.namespace, v.name);
    if (this.byName.get(k) === v.uid) this.byName.delete(k);
  }

  /** Counters of applications gone longer than the retention lose their series. */
  tick(nowMs: number, liveSchedules?: (namespace: string, name: string) => boolean): void {
    let live: Set<string> | undefined;
    const liveNames = () => (live ??= new Set([...this.records.values()].map((r) => `${r.view.namespace}\u0000${r.view.name}\u0000${r.view.operator}`)));
    for (const m of [this.failures, this.retries] as Map<string, ApplicationCounter>[]) {
      for (const [key, f] of m) {
        if (nowMs - f.lastMs < this.opts.retentionMs) continue;
        if (liveNames().has(`${f.namespace}\u0000${f.name}\u0000${f.operator}`)) continue;
        m.delete(key);
        this.version++;
      }
    }
    if (liveSchedules) {
      for (const [key, ms] of this.scheduleSuccessMs) {
        const [ns = '', name = ''] = key.split('\u0000');
        if (!liveSchedules(ns, name) && nowMs - ms >= this.opts.retentionMs) {
          this.scheduleSuccessMs.delete(key);
          this.version++;
        }
      }
    }
  }
}

function nameKey(operator: Operator, namespace: string, name: string): string {
  return `${operator}\u0000${namespace}\u0000${name}`;
}

/** The final failure an object shows, keyed by its attempt so each lifecycle fails once. */
function failureKey(v: SparkApplicationView): string | undefined {
  if (v.operator === 'kubeflow') return v.state === 'FAILED' ? `FAILED/${v.attempt}` : undefined;
  return v.terminal && v.outcome !== undefined && APACHE_FAILURES.has(v.outcome) ? `${v.state}/${v.attempt}` : undefined;
}

function sameSettings(a: SparkApplicationView, b: SparkApplicationView): boolean {
  const x = a.executors.dynamicAllocation;
  const y = b.executors.dynamicAllocation;
  if (a.executors.floor !== b.executors.floor || x.size !== y.size) return false;
  for (const [k, v] of x) if (y.get(k) !== v) return false;
  return true;
}
