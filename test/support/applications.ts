/**
 * SparkApplication (both operators) and ScheduledSparkApplication objects shaped as the operators
 * write them, and a Feeder extension that applies them as the sources do.
 */
import assert from 'node:assert/strict';
import { parseApacheSparkApplication } from '../../src/domain/apache-spark-application.js';
import type { ApplyMode } from '../../src/domain/relist.js';
import { relist } from '../../src/domain/relist.js';
import { parseScheduledSparkApplication } from '../../src/domain/scheduled-spark-application.js';
import { parseSparkApplication, type SparkApplicationView } from '../../src/domain/spark-application.js';
import { Feeder } from './feed.js';
import { nextRv, type Obj } from './pods.js';

export interface KubeflowStatus {
  state?: string;
  errorMessage?: string;
  submissionID?: string;
  sparkApplicationId?: string;
  submissionAttempts?: number;
  executionAttempts?: number;
  lastSubmissionAttemptTime?: string | null;
  terminationTime?: string | null;
}

/** A kubeflow SparkApplication; `status: undefined` leaves the status out, as a just-created object has none. */
export function kubeflowApp(namespace: string, name: string, status: KubeflowStatus | undefined, spec: Obj = {}, labels: Record<string, string> = {}): Obj {
  const o: Obj = {
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'SparkApplication',
    metadata: { name, namespace, uid: `sa-${namespace}-${name}`, resourceVersion: nextRv(), creationTimestamp: '2026-11-25T09:00:00Z', labels },
    spec: { type: 'Scala', mode: 'cluster', sparkVersion: '3.5.1', ...spec },
  };
  if (status) {
    const { state, errorMessage, ...rest } = status;
    o['status'] = { applicationState: { state: state ?? '', ...(errorMessage ? { errorMessage } : {}) }, driverInfo: {}, ...rest };
  }
  return o;
}

export interface ApacheState {
  state: string;
  at: string;
  message?: string;
  driver?: Obj;
}

/** An Apache SparkApplication whose history is `states` (key order), the last one current. */
export function apacheApp(namespace: string, name: string, states: ApacheState[] | undefined, attempt = 0, failureRestarts = 0, previous?: ApacheState[], restartPolicy = 'Never'): Obj {
  const o: Obj = {
    apiVersion: 'spark.apache.org/v1',
    kind: 'SparkApplication',
    metadata: { name, namespace, uid: `apache-${namespace}-${name}`, resourceVersion: nextRv(), creationTimestamp: '2026-11-25T09:00:00Z' },
    spec: { mainClass: 'org.apache.spark.examples.SparkPi', runtimeVersions: { sparkVersion: '4.0.1' }, restartConfig: { restartPolicy } },
  };
  if (!states) return o;
  const entry = (s: ApacheState) => ({ currentStateSummary: s.state, lastTransitionTime: s.at, ...(s.message ? { message: s.message } : {}), ...(s.driver ? { lastObservedDriverStatus: s.driver } : {}) });
  const hist = (ss: ApacheState[], from: number) => Object.fromEntries(ss.map((s, i) => [String(from + i), entry(s)]));
  const last = states[states.length - 1];
  assert.ok(last);
  o['status'] = {
    currentState: entry(last),
    stateTransitionHistory: hist(states, previous ? previous.length : 0),
    currentAttemptSummary: { attemptInfo: { id: attempt, restartCounter: attempt, failureRestartCounter: failureRestarts, schedulingFailureRestartCounter: 0 } },
    ...(previous ? { previousAttemptSummary: { attemptInfo: { id: attempt - 1, restartCounter: 0, failureRestartCounter: 0, schedulingFailureRestartCounter: 0 }, stateTransitionHistory: hist(previous, 0) } } : {}),
  };
  return o;
}

export interface ScheduleStatus {
  lastRun?: string | null;
  nextRun?: string | null;
  lastRunName?: string;
  pastSuccessfulRunNames?: string[];
  pastFailedRunNames?: string[];
}

export function scheduledApp(namespace: string, name: string, status: ScheduleStatus | undefined, suspend?: boolean): Obj {
  return {
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'ScheduledSparkApplication',
    metadata: { name, namespace, uid: `ssa-${namespace}-${name}`, resourceVersion: nextRv() },
    spec: { schedule: '@every 1h', concurrencyPolicy: 'Allow', ...(suspend !== undefined ? { suspend } : {}), template: { type: 'Scala', sparkVersion: '3.5.1' } },
    ...(status ? { status: { scheduleState: 'Scheduled', ...status } } : {}),
  };
}

export function kubeflowView(o: Obj): SparkApplicationView {
  const r = parseSparkApplication(o, 'team');
  assert.ok(r.ok);
  return r.value;
}

export function apacheView(o: Obj): SparkApplicationView {
  const r = parseApacheSparkApplication(o, 'team');
  assert.ok(r.ok);
  return r.value;
}

/** Applies application objects as the sources do: one operator's store per CRD. */
export class AppFeeder extends Feeder {
  kubeflow(o: Obj, mode: ApplyMode = 'watch'): void {
    this.model.sparkApps.upsert(kubeflowView(o), mode, this.now);
  }

  apache(o: Obj, mode: ApplyMode = 'watch'): void {
    this.model.sparkApps.upsert(apacheView(o), mode, this.now);
  }

  relistKubeflow(objs: Obj[], mode: ApplyMode = 'relist') {
    return relist(this.model.sparkApps.of('kubeflow'), objs.map(kubeflowView), mode, this.now);
  }

  relistApache(objs: Obj[], mode: ApplyMode = 'relist') {
    return relist(this.model.sparkApps.of('apache'), objs.map(apacheView), mode, this.now);
  }

  schedule(o: Obj, mode: ApplyMode = 'watch'): void {
    const r = parseScheduledSparkApplication(o, 'team');
    assert.ok(r.ok);
    this.model.scheduledApps.upsert(r.value, mode);
  }

  failures(): [string, string, string, string, number][] {
    return [...this.model.sparkApps.failures.values()].map((f) => [f.name, f.state, f.reason, f.operator, f.count]);
  }

  retries(name: string, operator = 'kubeflow'): number {
    return [...this.model.sparkApps.retries.values()].find((r) => r.name === name && r.operator === operator)?.count ?? 0;
  }
}
