/**
 * The exporter's model of the cluster, one part per watched resource: Spark pods grouped by
 * application, ResourceQuotas, namespaces' team labels, SparkApplications of both operators and
 * ScheduledSparkApplications. Each part offers
 * the same Store verbs (upsert, remove, relist through the one `relist`), so the sources treat
 * every resource alike.
 *
 * Pure and synchronous: sources feed it parsed views and the time, the metrics layer reads it.
 */
import type { AppRecord } from './app-record.js';
import { NamespacesModel } from './namespaces-model.js';
import { PodsModel, type PodsOptions } from './pods-model.js';
import { QuotasModel } from './quotas-model.js';
import { ScheduledApplicationsModel } from './scheduled-applications-model.js';
import { SparkApplicationsModel } from './spark-applications-model.js';

export type { ApplyMode, RelistResult } from './relist.js';

/** Retention, windows and grace come from the exporter's flag table (src/cli/serve-defaults.ts), the one place defaults live. */
export type ModelOptions = PodsOptions;

export class Model {
  readonly pods: PodsModel;
  readonly quotas = new QuotasModel();
  readonly namespaces = new NamespacesModel();
  readonly sparkApps: SparkApplicationsModel;
  readonly scheduledApps: ScheduledApplicationsModel;

  constructor(readonly opts: ModelOptions) {
    this.pods = new PodsModel(opts);
    // A failure is classified from the driver pod the pods model saw, joined as the operator labels it.
    this.sparkApps = new SparkApplicationsModel({ ...opts, driverOf: (v) => this.pods.driverEvidence(v.namespace, v.sparkAppId, v.name) });
    this.scheduledApps = new ScheduledApplicationsModel(opts);
  }

  /** Advances time-based state: skipped executor ids, churn windows, retention. */
  tick(nowMs: number): void {
    this.pods.tick(nowMs);
    this.sparkApps.tick(nowMs, (ns, name) => this.scheduledApps.hasName(ns, name));
  }

  /** The team of an application: its pods' label, else its namespace's. */
  teamOf(app: AppRecord): string {
    return app.podTeam ?? this.namespaces.teamOf(app.namespace);
  }

  /** A team label value as rendered: the object's own label, else its namespace's. */
  team(namespace: string, own: string | undefined): string {
    return own ?? this.namespaces.teamOf(namespace);
  }
}
