/**
 * Why a SparkApplication ended failed, as one of a bounded set of reasons: what the exporter saw
 * of its driver pod first (an OOMKill, eviction or preemption is certain there), then what the
 * status records, in every wording the operators have used.
 */
import type { ExitReason, FailureReason, PendingReason } from '../catalogue/metrics.js';
import type { SparkApplicationView } from './spark-application.js';

/** What the pods model knows of an application's latest driver pod. */
export interface DriverEvidence {
  /** How the driver pod ended, once it has. */
  readonly exit: ExitReason | undefined;
  /** The last reason it was pending for, if it ever was. */
  readonly pending: PendingReason | undefined;
  /** running, ended, or the pending reason; for spark_k8s_application_driver_status. */
  readonly status: string;
}

const FROM_EXIT: Partial<Record<ExitReason, FailureReason>> = {
  oom_killed: 'driver_oom_killed',
  evicted: 'driver_evicted',
  preempted: 'driver_preempted',
  error: 'driver_error',
};

/**
 * Error message wordings, most specific first (kubeflow: `driver pod failed with ExitCode: 101,
 * Reason: Error` (v1beta1 era), `driver container failed with ExitCode: 1, Reason: Error`,
 * `failed to run spark-submit for SparkApplication ns/name: exit status 1` / `signal: killed`,
 * `failed to submit spark application: ...`, `driver pod not found`; Apache: `Driver has one or
 * more failed critical container(s) ...`, `Failed to request driver from scheduler backend. ...`).
 */
const MESSAGES: readonly (readonly [RegExp, FailureReason])[] = [
  [/OOMKilled/i, 'driver_oom_killed'],
  [/\bEvict(ed|ion)\b|node was low on resource/i, 'driver_evicted'],
  [/preempt|DeletionByTaintManager|TerminationByKubelet|node shutdown/i, 'driver_preempted'],
  [/ErrImagePull|ImagePullBackOff|InvalidImageName|ErrImageNeverPull|pulling image/i, 'image_pull'],
  [/failed to (submit|run spark-submit)|spark-submit|request driver from scheduler/i, 'submission_failed'],
  [/driver (pod|container) failed with ExitCode|failed critical container|Reason: Error/i, 'driver_error'],
];

/** Apache's failure states, where the state itself says why. */
const APACHE_STATES: Readonly<Record<string, FailureReason>> = {
  DriverEvicted: 'driver_evicted',
  SchedulingFailure: 'submission_failed',
  Failed: 'driver_error',
};

export function reasonFromMessage(message: string | undefined): FailureReason | undefined {
  if (!message) return undefined;
  for (const [re, reason] of MESSAGES) if (re.test(message)) return reason;
  return undefined;
}

/**
 * `submissionFailed`: the attempt that failed never got a driver (kubeflow's SUBMISSION_FAILED
 * just before FAILED): an older attempt's driver pod must not explain it.
 */
export function classifyFailure(v: SparkApplicationView, driver: DriverEvidence | undefined, submissionFailed: boolean): FailureReason {
  if (submissionFailed || v.outcome === 'SchedulingFailure') return 'submission_failed';
  const fromPod = driver?.exit !== undefined ? FROM_EXIT[driver.exit] : undefined;
  if (fromPod) return fromPod;
  if (driver?.pending === 'image_pull') return 'image_pull';
  const observed = v.driverObserved?.exit !== undefined ? FROM_EXIT[v.driverObserved.exit] : undefined;
  if (observed) return observed;
  const fromMessage = reasonFromMessage(v.message);
  if (fromMessage) return fromMessage;
  return (v.outcome !== undefined ? APACHE_STATES[v.outcome] : undefined) ?? 'unknown';
}
