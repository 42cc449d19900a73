/** Shapes of the Kubernetes objects the simulator stores. Internal: the server parses input defensively. */

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
  generateName?: string;
}

export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: unknown;
  status?: unknown;
  [extra: string]: unknown;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface ContainerSpec {
  name: string;
  image: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  [extra: string]: unknown;
}

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime: string | null;
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}

export interface ContainerState {
  waiting?: { reason: string; message?: string };
  running?: { startedAt: string };
  terminated?: { exitCode: number; reason: string; startedAt?: string; finishedAt: string; containerID?: string; message?: string };
}

export interface ContainerStatus {
  name: string;
  state: ContainerState;
  lastState: ContainerState;
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  started: boolean;
  [extra: string]: unknown;
}

export interface PodSpec {
  containers: ContainerSpec[];
  nodeName?: string;
  tolerations?: Toleration[];
  nodeSelector?: Record<string, string>;
  [extra: string]: unknown;
}

export interface PodStatus {
  phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  conditions?: PodCondition[];
  containerStatuses?: ContainerStatus[];
  reason?: string;
  message?: string;
  startTime?: string;
  hostIP?: string;
  hostIPs?: Array<{ ip: string }>;
  podIP?: string;
  podIPs?: Array<{ ip: string }>;
  qosClass?: string;
  [extra: string]: unknown;
}

export interface Pod extends KObject {
  kind: 'Pod';
  spec: PodSpec;
  status: PodStatus;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface NodeObj extends KObject {
  kind: 'Node';
  spec: { taints?: Taint[]; providerID?: string; podCIDR?: string; unschedulable?: boolean };
  status: { allocatable: Record<string, string>; capacity: Record<string, string>; [extra: string]: unknown };
}

export interface ResourceQuotaObj extends KObject {
  kind: 'ResourceQuota';
  spec: { hard: Record<string, string> };
  status: { hard: Record<string, string>; used: Record<string, string> };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
