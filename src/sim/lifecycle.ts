/**
 * Scripted operator objects for the lifecycle scenarios: SparkApplications of both operators and
 * ScheduledSparkApplications whose statuses move exactly as the operators write them (kubeflow's
 * retry path FAILING → PENDING_RERUN → SUBMITTED with its attempt counters, SUBMISSION_FAILED →
 * FAILED; Apache's transition history, attempt summaries and ResourceReleased; a schedule's
 * lastRun/nextRun/lastRunName), at fixed simulated offsets. What each script does is recorded
 * in the truth as it happens, so a test compares the exporter's counters with it exactly.
 */
import type { Cluster } from './cluster.js';
import { rfc3339 } from './time.js';
import type { LifecycleTruth } from './truth.js';
import type { KObject } from './types.js';

type Status = Record<string, unknown>;
/** One Apache state transition: state, offset in seconds, message, lastObservedDriverStatus. */
export type ApacheEntry = readonly [string, number, string?, Status?];

interface Step {
  /** Simulated seconds after the script starts. */
  readonly at: number;
  run(): void;
}

const KUBEFLOW = 'sparkapplications';
const APACHE = 'sparkapplications.spark.apache.org';
const SCHEDULED = 'scheduledsparkapplications';

export class Lifecycle {
  private readonly steps: Step[] = [];
  private readonly startMs: number;

  constructor(
    private readonly cluster: Cluster,
    private readonly truth: LifecycleTruth,
  ) {
    this.startMs = cluster.now;
  }

  /** Runs due steps; offsets count from when the world was built. */
  step(t: number): void {
    while (this.steps.length > 0 && (this.steps[0]?.at ?? Infinity) * 1000 + this.startMs <= t) this.steps.shift()?.run();
  }

  private at(seconds: number, run: () => void): void {
    this.steps.push({ at: seconds, run });
    this.steps.sort((a, b) => a.at - b.at);
  }

  private time(seconds: number): string {
    return rfc3339(this.startMs + seconds * 1000);
  }

  /** A kubeflow SparkApplication, created now (before the exporter's first list). */
  kubeflowApp(namespace: string, name: string, team: string, restartPolicy: Status, status: Status, labels: Record<string, string> = {}, createdAgoMs = 1_800_000): void {
    const obj: KObject = {
      apiVersion: 'sparkoperator.k8s.io/v1beta2',
      kind: 'SparkApplication',
      metadata: { name, namespace, uid: this.cluster.uid(), resourceVersion: '0', creationTimestamp: rfc3339(this.cluster.now - createdAgoMs), generation: 1, labels: { team, ...labels } },
      spec: { type: 'Scala', mode: 'cluster', sparkVersion: '3.5.1', image: 'apache/spark:3.5.1', mainClass: 'com.example.Main', mainApplicationFile: 'local:///opt/spark/jars/app.jar', restartPolicy },
      status,
    };
    this.cluster.store.put(KUBEFLOW, obj);
  }

  private setStatus(resource: string, namespace: string, name: string, status: Status): void {
    const cur = this.cluster.store.get(resource, namespace, name);
    if (cur) this.cluster.store.put(resource, { ...cur, status });
  }

  /** Status updates of a kubeflow application at simulated offsets. */
  kubeflowSteps(namespace: string, name: string, steps: ReadonlyArray<readonly [number, Status]>): void {
    for (const [at, status] of steps) this.at(at, () => this.setStatus(KUBEFLOW, namespace, name, status));
  }

  kubeflowState(state: string, extra: Status = {}, errorMessage?: string): Status {
    return { applicationState: errorMessage ? { state, errorMessage } : { state }, driverInfo: {}, ...extra };
  }

  /** An Apache SparkApplication created now, with a transition history. */
  apacheApp(namespace: string, name: string, team: string, restartPolicy: string): void {
    const obj: KObject = {
      apiVersion: 'spark.apache.org/v1',
      kind: 'SparkApplication',
      metadata: { name, namespace, uid: this.cluster.uid(), resourceVersion: '0', creationTimestamp: rfc3339(this.cluster.now), generation: 1, labels: { team } },
      spec: { mainClass: 'org.apache.spark.examples.SparkPi', jars: 'local:///opt/spark/examples/jars/spark-examples.jar', runtimeVersions: { sparkVersion: '4.0.1' }, restartConfig: { restartPolicy, maxRestartAttempts: 1 } },
      status: this.apacheStatus([['Submitted', 0, 'Spark application has been created on Kubernetes Cluster.']], 0, 0, undefined),
    };
    this.cluster.store.put(APACHE, obj);
  }

  /** Apache status: the current attempt's history (state, offset, message), its attempt info, the previous attempt's history. */
  apacheStatus(history: ReadonlyArray<ApacheEntry>, attempt: number, failures: number, previous: ReadonlyArray<ApacheEntry> | undefined): Status {
    const entry = ([state, at, message, driver]: ApacheEntry) => ({ currentStateSummary: state, lastTransitionTime: this.time(at), ...(message ? { message } : {}), ...(driver ? { lastObservedDriverStatus: driver } : {}) });
    const from = previous ? previous.length : 0;
    const last = history[history.length - 1] ?? ['Submitted', 0];
    return {
      currentState: entry(last),
      stateTransitionHistory: Object.fromEntries(history.map((h, i) => [String(from + i), entry(h)])),
      currentAttemptSummary: { attemptInfo: { id: attempt, restartCounter: attempt, failureRestartCounter: failures, schedulingFailureRestartCounter: 0 } },
      ...(previous ? { previousAttemptSummary: { attemptInfo: { id: attempt - 1, restartCounter: attempt - 1, failureRestartCounter: 0, schedulingFailureRestartCounter: 0 }, stateTransitionHistory: Object.fromEntries(previous.map((h, i) => [String(i), entry(h)])) } } : {}),
    };
  }

  apacheSteps(namespace: string, name: string, steps: ReadonlyArray<readonly [number, () => Status]>): void {
    for (const [at, status] of steps) this.at(at, () => this.setStatus(APACHE, namespace, name, status()));
  }

  scheduledApp(namespace: string, name: string, team: string, schedule: string, status: Status, suspend = false): void {
    const obj: KObject = {
      apiVersion: 'sparkoperator.k8s.io/v1beta2',
      kind: 'ScheduledSparkApplication',
      metadata: { name, namespace, uid: this.cluster.uid(), resourceVersion: '0', creationTimestamp: rfc3339(this.cluster.now - 86_400_000), generation: 1, labels: { team } },
      spec: { schedule, concurrencyPolicy: 'Forbid', suspend, successfulRunHistoryLimit: 1, failedRunHistoryLimit: 1, template: { type: 'Scala', mode: 'cluster', sparkVersion: '3.5.1', restartPolicy: { type: 'Never' } } },
      status: { scheduleState: 'Scheduled', ...status },
    };
    this.cluster.store.put(SCHEDULED, obj);
  }

  scheduleSteps(namespace: string, name: string, steps: ReadonlyArray<readonly [number, () => Status]>): void {
    for (const [at, status] of steps) this.at(at, () => this.setStatus(SCHEDULED, namespace, name, { scheduleState: 'Scheduled', ...status() }));
  }

  /** Anything at an offset (e.g. an operator creating a run object). */
  later(at: number, run: () => void): void {
    this.at(at, run);
  }

  /** A step that only records truth (a retry or a final failure the script has just written). */
  record(at: number, fn: (truth: LifecycleTruth) => void): void {
    this.at(at, () => fn(this.truth));
  }

  /** Seconds offset as an RFC 3339 time of the script's clock. */
  iso(seconds: number): string {
    return this.time(seconds);
  }

  /** Unix seconds of an offset. */
  unix(seconds: number): number {
    return Math.floor((this.startMs + seconds * 1000) / 1000);
  }

  get pending(): number {
    return this.steps.length;
  }
}
