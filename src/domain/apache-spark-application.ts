/**
 * Apache spark-kubernetes-operator SparkApplications (spark.apache.org/v1 and v1beta1) as the
 * shared SparkApplicationView. Its state machine (ApplicationStateSummary.java): only
 * ResourceReleased and TerminatedWithoutReleaseResources are terminal; Succeeded, Failed and the
 * other "stopping" states come before them, so how an application ended is the stopping state
 * its transition history holds before the terminal one. A restart (ScheduledToRestart) bumps
 * `currentAttemptSummary.attemptInfo.id` and, with history trimming (the default), moves the
 * ended attempt's history into `previousAttemptSummary`.
 */
import { executorSettings } from './dynamic-allocation.js';
import { arr, labels, namespaced, obj, str, time, type IdentityReject, type Json } from './json.js';
import { count, type DriverObserved, type SparkApplicationView } from './spark-application.js';
import { disruptionOf } from './spark-pod.js';

export const APACHE_TERMINAL = new Set(['ResourceReleased', 'TerminatedWithoutReleaseResources']);
/** isStopping(): after RunningWithBelowThresholdExecutors in the enum, and not terminal. */
export const APACHE_STOPPING = new Set(['DriverStartTimedOut', 'ExecutorsStartTimedOut', 'DriverReadyTimedOut', 'Succeeded', 'Failed', 'SchedulingFailure', 'DriverEvicted']);
/** ApplicationStateSummary.failures. */
export const APACHE_FAILURES = new Set(['DriverStartTimedOut', 'ExecutorsStartTimedOut', 'SchedulingFailure', 'DriverEvicted', 'Failed', 'DriverReadyTimedOut']);

interface Entry {
  readonly state: string;
  readonly raw: Json;
}

/** A state transition history (`{"0": {...}, "1": {...}}`, string keys) in key order. */
function history(v: unknown): Entry[] {
  const h = obj(v);
  if (!h) return [];
  const out: { key: number; entry: Entry }[] = [];
  for (const k of Object.keys(h)) {
    const e = obj(h[k]);
    const state = str(e?.['currentStateSummary']);
    if (!e || !state || !/^\d{1,18}$/.test(k)) continue;
    out.push({ key: Number(k), entry: { state, raw: e } });
  }
  return out.sort((a, b) => a.key - b.key).map((x) => x.entry);
}

function lastStopping(entries: readonly Entry[]): Entry | undefined {
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i];
    if (e && APACHE_STOPPING.has(e.state)) return e;
  }
  return undefined;
}

/** The end of the driver pod as `lastObservedDriverStatus` (a core/v1 PodStatus) records it. */
function driverObserved(podStatus: Json | undefined): DriverObserved | undefined {
  if (!podStatus) return undefined;
  const disruption = disruptionOf(podStatus);
  if (disruption) return { exit: disruption };
  let exit: DriverObserved['exit'];
  for (const c of arr(podStatus['containerStatuses'])) {
    const t = obj(obj(obj(c)?.['state'])?.['terminated']);
    if (!t) continue;
    if (str(t['reason']) === 'OOMKilled') return { exit: 'oom_killed' };
    if (typeof t['exitCode'] === 'number' && t['exitCode'] !== 0) exit = 'error';
  }
  return { exit };
}

export function parseApacheSparkApplication(raw: unknown, teamLabel: string): { ok: true; value: SparkApplicationView } | IdentityReject {
  const id = namespaced(raw, teamLabel);
  if (!id.ok) return id;
  const { object: a, meta, identity } = id.value;
  const status = obj(a['status']);
  const spec = obj(a['spec']);
  const current = obj(status?.['currentState']);
  const stateRaw = str(current?.['currentStateSummary']) ?? '';
  const state = stateRaw === '' ? 'NEW' : /^[A-Za-z]{1,48}$/.test(stateRaw) ? stateRaw : 'UNKNOWN';
  const entries = history(status?.['stateTransitionHistory']);
  // The current attempt's entries start at its last ScheduledToRestart (untrimmed history keeps all).
  let start = -1;
  for (let i = entries.length - 1; i >= 0; i--) {
    if (entries[i]?.state === 'ScheduledToRestart') {
      start = i;
      break;
    }
  }
  const mine = start < 0 ? entries : entries.slice(start);
  const stopped = APACHE_STOPPING.has(state) ? { state, raw: current ?? {} } : lastStopping(mine);
  const previous = start > 0 ? lastStopping(entries.slice(0, start)) : undefined;
  const previousOutcome = (previous ?? lastStopping(history(obj(status?.['previousAttemptSummary'])?.['stateTransitionHistory'])))?.state;
  const info = obj(obj(status?.['currentAttemptSummary'])?.['attemptInfo']);
  const attemptId = count(info?.['id']);
  const message = str(current?.['message']) || str(stopped?.raw['message']) || undefined;
  return {
    ok: true,
    value: {
      uid: identity.uid,
      namespace: identity.namespace,
      name: identity.name,
      team: identity.team,
      operator: 'apache',
      state,
      terminal: APACHE_TERMINAL.has(state),
      stateSinceMs: state === 'NEW' ? time(meta['creationTimestamp']) : time(current?.['lastTransitionTime']),
      attempt: String(attemptId),
      sparkAppId: undefined,
      executors: executorSettings(spec),
      restartPolicy: str(obj(spec?.['restartConfig'])?.['restartPolicy']) ?? 'Never',
      submissionAttempts: 0,
      executionAttempts: 0,
      attemptId,
      failureRestarts: count(info?.['failureRestartCounter']),
      message,
      outcome: stopped?.state,
      previousOutcome,
      driverObserved: driverObserved(obj(stopped?.raw['lastObservedDriverStatus'])),
      scheduledBy: undefined,
      terminationMs: APACHE_TERMINAL.has(state) ? time(current?.['lastTransitionTime']) : undefined,
    },
  };
}
