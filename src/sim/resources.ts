/** The API resources the simulator serves, with what discovery and `kubectl get` need to know. */

export interface ResourceDef {
  resource: string; // plural, as in the URL
  singular: string;
  kind: string;
  group: string; // '' for core
  version: string;
  namespaced: boolean;
  shortNames: string[];
  verbs: string[];
  /** Field selectors the real API server indexes for this resource. */
  fieldSelectors: string[];
  categories?: string[];
  /** The store's (and kubectl's `plural.group`) name where the plural alone is ambiguous; default the plural. */
  store?: string;
}

/** The name a resource is stored and counted under. */
export function storeOf(def: ResourceDef): string {
  return def.store ?? def.resource;
}

const META_FIELDS = ['metadata.name', 'metadata.namespace'];
const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'watch'];

export const SPARK_GROUP = 'sparkoperator.k8s.io';
export const SPARK_VERSION = 'v1beta2';

export const CORE_RESOURCES: ResourceDef[] = [
  { resource: 'namespaces', singular: 'namespace', kind: 'Namespace', group: '', version: 'v1', namespaced: false, shortNames: ['ns'], verbs: VERBS, fieldSelectors: [...META_FIELDS, 'status.phase'] },
  { resource: 'nodes', singular: 'node', kind: 'Node', group: '', version: 'v1', namespaced: false, shortNames: ['no'], verbs: VERBS, fieldSelectors: [...META_FIELDS, 'spec.unschedulable'] },
  {
    resource: 'pods', singular: 'pod', kind: 'Pod', group: '', version: 'v1', namespaced: true, shortNames: ['po'], verbs: VERBS, categories: ['all'],
    fieldSelectors: [...META_FIELDS, 'status.phase', 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.podIP', 'status.nominatedNodeName'],
  },
  { resource: 'resourcequotas', singular: 'resourcequota', kind: 'ResourceQuota', group: '', version: 'v1', namespaced: true, shortNames: ['quota'], verbs: VERBS, fieldSelectors: META_FIELDS },
  { resource: 'limitranges', singular: 'limitrange', kind: 'LimitRange', group: '', version: 'v1', namespaced: true, shortNames: ['limits'], verbs: VERBS, fieldSelectors: META_FIELDS },
  {
    resource: 'events', singular: 'event', kind: 'Event', group: '', version: 'v1', namespaced: true, shortNames: ['ev'], verbs: VERBS,
    fieldSelectors: [...META_FIELDS, 'involvedObject.kind', 'involvedObject.name', 'involvedObject.namespace', 'involvedObject.uid', 'reason', 'type', 'source'],
  },
];

export const SPARK_APPLICATIONS: ResourceDef = {
  resource: 'sparkapplications', singular: 'sparkapplication', kind: 'SparkApplication', group: SPARK_GROUP, version: SPARK_VERSION,
  namespaced: true, shortNames: ['sparkapp'], verbs: VERBS, fieldSelectors: META_FIELDS,
};

export const SCHEDULED_SPARK_APPLICATIONS: ResourceDef = {
  resource: 'scheduledsparkapplications', singular: 'scheduledsparkapplication', kind: 'ScheduledSparkApplication', group: SPARK_GROUP, version: SPARK_VERSION,
  namespaced: true, shortNames: ['scheduledsparkapp'], verbs: VERBS, fieldSelectors: META_FIELDS,
};

/** Apache spark-kubernetes-operator: same plural and kind as kubeflow's, another group. */
export const APACHE_GROUP = 'spark.apache.org';
export const APACHE_VERSION = 'v1';
export const APACHE_SPARK_APPLICATIONS: ResourceDef = {
  resource: 'sparkapplications', singular: 'sparkapplication', kind: 'SparkApplication', group: APACHE_GROUP, version: APACHE_VERSION,
  namespaced: true, shortNames: ['sparkapp'], verbs: VERBS, fieldSelectors: META_FIELDS, store: 'sparkapplications.spark.apache.org',
};

/** The three operator CRDs by store name; any subset may be installed. */
export const SPARK_CRDS = [SPARK_APPLICATIONS, SCHEDULED_SPARK_APPLICATIONS, APACHE_SPARK_APPLICATIONS] as const;
export type SparkCrd = 'sparkapplications' | 'scheduledsparkapplications' | 'sparkapplications.spark.apache.org';
export const ALL_SPARK_CRDS: readonly SparkCrd[] = ['sparkapplications', 'scheduledsparkapplications', 'sparkapplications.spark.apache.org'];

export function apiVersionOf(def: ResourceDef): string {
  return def.group === '' ? def.version : `${def.group}/${def.version}`;
}
