/**
 * Validate rendered objects against the Kubernetes OpenAPI schemas (kubernetes-models) and the
 * prometheus-operator CRD schemas (@kubernetes-models/prometheus-operator).
 */
import { ServiceMonitor, type IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { PrometheusRule, type IPrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { StatefulSet, type IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { NetworkPolicy, type INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ClusterRole, type IClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding, type IClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role, type IRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding, type IRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap, type IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service, type IService } from 'kubernetes-models/v1/Service';
import { ServiceAccount, type IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { K8sObject } from './helm.js';

/*
 * The casts below are the point of the exercise rather than a shortcut: the data is untyped YAML
 * and validate() is what checks it against the schema.
 */
const VALIDATORS: Readonly<Record<string, (o: K8sObject) => void>> = {
  'apps/v1/Deployment': (o) => new Deployment(o as unknown as IDeployment).validate(),
  'apps/v1/StatefulSet': (o) => new StatefulSet(o as unknown as IStatefulSet).validate(),
  'v1/Service': (o) => new Service(o as unknown as IService).validate(),
  'v1/ServiceAccount': (o) => new ServiceAccount(o as unknown as IServiceAccount).validate(),
  'v1/ConfigMap': (o) => new ConfigMap(o as unknown as IConfigMap).validate(),
  'rbac.authorization.k8s.io/v1/ClusterRole': (o) => new ClusterRole(o as unknown as IClusterRole).validate(),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': (o) =>
    new ClusterRoleBinding(o as unknown as IClusterRoleBinding).validate(),
  'rbac.authorization.k8s.io/v1/Role': (o) => new Role(o as unknown as IRole).validate(),
  'rbac.authorization.k8s.io/v1/RoleBinding': (o) => new RoleBinding(o as unknown as IRoleBinding).validate(),
  'networking.k8s.io/v1/NetworkPolicy': (o) => new NetworkPolicy(o as unknown as INetworkPolicy).validate(),
  'policy/v1/PodDisruptionBudget': (o) => new PodDisruptionBudget(o as unknown as IPodDisruptionBudget).validate(),
  'monitoring.coreos.com/v1/ServiceMonitor': (o) => new ServiceMonitor(o as unknown as IServiceMonitor).validate(),
  'monitoring.coreos.com/v1/PrometheusRule': (o) => new PrometheusRule(o as unknown as IPrometheusRule).validate(),
};

/** Throws, naming the object, if it has no known schema or does not validate. */
export function validateObject(o: K8sObject): void {
  const key = `${o.apiVersion}/${o.kind}`;
  const validator = VALIDATORS[key];
  if (!validator) throw new Error(`${key} ${o.metadata.name}: no schema known to the test; add one`);
  try {
    validator(o);
  } catch (e) {
    throw new Error(`${key} ${o.metadata.name} does not validate: ${e instanceof Error ? e.message : String(e)}`);
  }
}
