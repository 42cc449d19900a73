/**
 * SparkApplications of both operators as one view: kubeflow's spark-operator
 * (sparkoperator.k8s.io/v1beta2) and Apache's spark-kubernetes-operator (spark.apache.org/v1, see
 * apache-spark-application.ts). Name, state and when it began, team, executor settings, and what
 * the status says about attempts and how the last one ended.
 */
import type { Operator } from '../catalogue/metrics.js';
import { executorSettings, type ExecutorSettings } from './dynamic-allocation.js';
import { namespaced, num, obj, str, time, type IdentityReject, type Json, type Identity } from './json.js';

/** What a status says about its driver pod's end (Apache: `lastObservedDriverStatus`). */
export interface DriverObserved {
  /** `oom_killed`, `evicted`, `preempted` or `error`, as the pod status shows. */
  readonly exit: 'oom_killed' | 'evicted' | 'preempted' | 'error' | undefined;
}

export interface SparkApplicationView extends Identity {
  readonly operator: Operator;
  /** As the operator spells it; `NEW` while the object has no state yet. */
  readonly state: string;
  /** COMPLETED/FAILED (kubeflow), ResourceReleased/TerminatedWithoutReleaseResources (Apache). */
  readonly terminal: boolean;
  /** When the current state began by the status' own timestamps; undefined when it has none for it. */
  readonly stateSinceMs: number | undefined;
  /** The attempt this state belongs to: kubeflow's submissionID, Apache's attempt id. */
  readonly attempt: string;
  /** `status.sparkApplicationId` (kubeflow): the `spark-app-selector` of its pods, once the driver runs. */
  readonly sparkAppId: string | undefined;
  readonly executors: ExecutorSettings;
  /** `spec.restartPolicy.type` (kubeflow) / `spec.restartConfig.restartPolicy` (Apache); Never when unset. */
  readonly restartPolicy: string;
  /** kubeflow `status.submissionAttempts` / `executionAttempts` (absent when 0). */
  readonly submissionAttempts: number;
  readonly executionAttempts: number;
  /** Apache `currentAttemptSummary.attemptInfo`: id (+1 per restart) and consecutive-failure restarts. */
  readonly attemptId: number;
  readonly failureRestarts: number;
  /** kubeflow `applicationState.errorMessage`, Apache `currentState.message` (or the failed state's). */
  readonly message: string | undefined;
  /** The state the current attempt stopped in, when it has (Apache's Succeeded, Failed, DriverEvicted ...; kubeflow's FAILED/COMPLETED). */
  readonly outcome: string | undefined;
  /** Apache: the state the previous attempt stopped in, from the transition history. */
  readonly previousOutcome: string | undefined;
  readonly driverObserved: DriverObserved | undefined;
  /** `sparkoperator.k8s.io/scheduled-app-name`: the ScheduledSparkApplication that started this run. */
  readonly scheduledBy: string | undefined;
  readonly terminationMs: number | undefined;
}

export const KUBEFLOW_TERMINAL = new Set(['COMPLETED', 'FAILED']);

/** Where a kubeflow state's own timestamp is (B3 of the research notes); other states have none. */
function kubeflowSince(state: string, meta: Json, status: Json | undefined): number | undefined {
  switch (state) {
    case 'NEW':
      return time(meta['creationTimestamp']);
    case 'SUBMITTED':
    case 'SUBMISSION_FAILED':
      return time(status?.['lastSubmissionAttemptTime']);
    case 'SUCCEEDING':
    case 'FAILING':
    case 'COMPLETED':
    case 'FAILED':
      return time(status?.['terminationTime']);
    default:
      return undefined;
  }
}

export function count(v: unknown): number {
  const n = num(v);
  return n !== undefined && n >= 0 ? Math.floor(n) : 0;
}

export function parseSparkApplication(
  raw: unknown,
  teamLabel: string,
): { ok: true; value: SparkApplicationView } | IdentityReject {
  const id = namespaced(raw, teamLabel);
  if (!id.ok) return id;
  const { object: a, meta, labels: l, identity } = id.value;
  const status = obj(a['status']);
  const spec = obj(a['spec']);
  const appState = obj(status?.['applicationState']);
  const stateRaw = str(appState?.['state']) ?? '';
  // Bound the value: a state is an enum upstream, anything else is squashed rather than exported raw.
  const state = stateRaw === '' ? 'NEW' : /^[A-Z_]{1,32}$/.test(stateRaw) ? stateRaw : 'UNKNOWN';
  const submissionAttempts = count(status?.['submissionAttempts']);
  const attempt = str(status?.['submissionID']) ?? String(submissionAttempts);
  return {
    ok: true,
    value: {
      uid: identity.uid,
      namespace: identity.namespace,
      name: identity.name,
      team: identity.team,
      operator: 'kubeflow',
      state,
      terminal: KUBEFLOW_TERMINAL.has(state),
      stateSinceMs: kubeflowSince(state, meta, status),
      attempt,
      sparkAppId: str(status?.['sparkApplicationId']) || undefined,
      executors: executorSettings(spec),
      restartPolicy: str(obj(spec?.['restartPolicy'])?.['type']) ?? 'Never',
      submissionAttempts,
      executionAttempts: count(status?.['executionAttempts']),
      attemptId: 0,
      failureRestarts: 0,
      message: str(appState?.['errorMessage']) || undefined,
      outcome: KUBEFLOW_TERMINAL.has(state) ? state : undefined,
      previousOutcome: undefined,
      driverObserved: undefined,
      scheduledBy: l['sparkoperator.k8s.io/scheduled-app-name'] || undefined,
      terminationMs: time(status?.['terminationTime']),
    },
  };
}
