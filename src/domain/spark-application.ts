/** spark-operator SparkApplications (sparkoperator.k8s.io/v1beta2): name, state, team, executor settings. */
import { executorSettings, type ExecutorSettings } from './dynamic-allocation.js';
import { labels, namespaced, obj, str, type IdentityReject } from './json.js';

export interface SparkApplicationView {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly team: string | undefined;
  /** As the operator spells it; `NEW` for the empty state of a just-created application. */
  readonly state: string;
  /** Submission attempt id: a retry is a new attempt, so its failure is a new failure. */
  readonly attempt: string;
  /** `status.sparkApplicationId`: the `spark-app-selector` of its pods, once the driver runs. */
  readonly sparkAppId: string | undefined;
  readonly executors: ExecutorSettings;
}

export const FAILED_STATES = new Set(['FAILED', 'SUBMISSION_FAILED']);

export function parseSparkApplication(
  raw: unknown,
  teamLabel: string,
): { ok: true; value: SparkApplicationView } | IdentityReject {
  const id = namespaced(raw);
  if (!id.ok) return id;
  const { object: a, meta, uid, name, namespace } = id.value;
  const status = obj(a['status']);
  const stateRaw = str(obj(status?.['applicationState'])?.['state']) ?? '';
  // Bound the value: a state is an enum upstream, anything else is squashed rather than exported raw.
  const state = stateRaw === '' ? 'NEW' : /^[A-Z_]{1,32}$/.test(stateRaw) ? stateRaw : 'UNKNOWN';
  const attempt = str(status?.['submissionID']) ?? String(status?.['submissionAttempts'] ?? '') ?? '';
  const sparkAppId = str(status?.['sparkApplicationId']) || undefined;
  const executors = executorSettings(obj(a['spec']));
  return { ok: true, value: { uid, namespace, name, team: labels(meta)[teamLabel] || undefined, state, attempt, sparkAppId, executors } };
}
