/**
 * kubeflow ScheduledSparkApplications (sparkoperator.k8s.io/v1beta2): a cron schedule that
 * creates a SparkApplication per run (named in `status.lastRunName`, labelled
 * `sparkoperator.k8s.io/scheduled-app-name`). Only what the schedule metrics need is kept.
 */
import { arr, namespaced, obj, str, time, type IdentityReject, type Identity } from './json.js';

export interface ScheduledSparkApplicationView extends Identity {
  readonly suspended: boolean;
  readonly lastRunMs: number | undefined;
  readonly nextRunMs: number | undefined;
  readonly lastRunName: string | undefined;
  /** Runs the operator keeps as succeeded (COMPLETED), newest first as it records them. */
  readonly pastSuccessfulRunNames: readonly string[];
  readonly pastFailedRunNames: readonly string[];
}

export function parseScheduledSparkApplication(raw: unknown, teamLabel: string): { ok: true; value: ScheduledSparkApplicationView } | IdentityReject {
  const id = namespaced(raw, teamLabel);
  if (!id.ok) return id;
  const { object: a, meta, identity } = id.value;
  const status = obj(a['status']);
  const spec = obj(a['spec']);
  return {
    ok: true,
    value: {
      uid: identity.uid,
      namespace: identity.namespace,
      name: identity.name,
      team: identity.team,
      suspended: spec?.['suspend'] === true,
      lastRunMs: time(status?.['lastRun']),
      nextRunMs: time(status?.['nextRun']),
      lastRunName: str(status?.['lastRunName']) || undefined,
      pastSuccessfulRunNames: names(status?.['pastSuccessfulRunNames']),
      pastFailedRunNames: names(status?.['pastFailedRunNames']),
    },
  };
}

function names(v: unknown): string[] {
  return arr(v).filter((n): n is string => typeof n === 'string' && n !== '');
}
