/**
 * Pod and quota objects shaped as the API server serves Spark's (labels, env, containers,
 * conditions, statuses), with builders for each state a test needs.
 */
import { randomUUID } from 'node:crypto';

export type Obj = Record<string, unknown>;

export interface PodOpts {
  namespace?: string;
  appId?: string;
  appName?: string;
  role?: 'driver' | 'executor';
  execId?: number | string;
  team?: string;
  uid?: string;
  created?: string;
  heap?: string;
  memoryRequest?: string;
  cpu?: string;
  containerName?: string;
  rv?: number;
}

let rv = 1000;
export const nextRv = (): string => String(++rv);

export function sparkPod(o: PodOpts = {}): Obj {
  const role = o.role ?? 'executor';
  const appId = o.appId ?? 'spark-0123456789abcdef0123456789abcdef';
  const appName = o.appName ?? 'etl-daily';
  const prefix = `${appName}-8a1b2c3d4e5f6a7b`;
  const name = role === 'driver' ? `${prefix}-driver` : `${prefix}-exec-${o.execId ?? 1}`;
  const container = o.containerName ?? (role === 'driver' ? 'spark-kubernetes-driver' : 'spark-kubernetes-executor');
  const created = o.created ?? '2026-11-25T10:00:00Z';
  const labels: Record<string, string> = {
    'spark-app-selector': appId,
    'spark-app-name': appName,
    'spark-role': role,
    'spark-version': '3.5.1',
  };
  if (role === 'executor') {
    labels['spark-exec-id'] = String(o.execId ?? 1);
    labels['spark-exec-resourceprofile-id'] = '0';
  }
  if (o.team) labels['team'] = o.team;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: o.namespace ?? 'analytics',
      uid: o.uid ?? randomUUID(),
      resourceVersion: String(o.rv ?? nextRv()),
      creationTimestamp: created,
      labels,
      ownerReferences: role === 'executor' ? [{ apiVersion: 'v1', kind: 'Pod', name: `${prefix}-driver`, uid: 'driver-uid', controller: true }] : [],
      managedFields: [{ manager: 'okhttp', operation: 'Update', apiVersion: 'v1', time: created, fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': {} } }],
    },
    spec: {
      restartPolicy: 'Never',
      containers: [
        {
          name: container,
          image: 'apache/spark:3.5.1',
          args: [role],
          env: [
            { name: 'SPARK_USER', value: 'spark' },
            { name: 'SPARK_DRIVER_URL', value: `spark://CoarseGrainedScheduler@${prefix}-driver-svc.default.svc:7078` },
            { name: 'SPARK_EXECUTOR_CORES', value: '2' },
            { name: 'SPARK_EXECUTOR_MEMORY', value: o.heap ?? '4g' },
            { name: 'SPARK_APPLICATION_ID', value: appId },
            { name: 'SPARK_EXECUTOR_ID', value: String(o.execId ?? 1) },
            { name: 'AWS_SECRET_ACCESS_KEY', value: 'must-never-be-exported' },
          ],
          resources: {
            requests: { cpu: o.cpu ?? '2', memory: o.memoryRequest ?? '4505Mi' },
            limits: { memory: o.memoryRequest ?? '4505Mi' },
          },
        },
      ],
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
    status: { phase: 'Pending', conditions: [] },
  };
}

function status(p: Obj): Obj {
  return p['status'] as Obj;
}

function meta(p: Obj): Obj {
  return p['metadata'] as Obj;
}

function containerName(p: Obj): string {
  return ((p['spec'] as Obj)['containers'] as Obj[])[0]!['name'] as string;
}

function bump(p: Obj): Obj {
  const copy = structuredClone(p);
  meta(copy)['resourceVersion'] = nextRv();
  return copy;
}

export function unschedulable(p: Obj): Obj {
  const c = bump(p);
  status(c)['conditions'] = [
    { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/12 nodes are available: 12 Insufficient memory.', lastTransitionTime: '2026-11-25T10:00:01Z' },
  ];
  return c;
}

export function gated(p: Obj): Obj {
  const c = bump(p);
  status(c)['conditions'] = [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }];
  return c;
}

export function waiting(p: Obj, reason: string): Obj {
  const c = bump(p);
  const s = status(c);
  s['conditions'] = [{ type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-11-25T10:00:01Z' }];
  s['hostIP'] = '10.0.0.7';
  s['containerStatuses'] = [{ name: containerName(c), ready: false, restartCount: 0, image: 'apache/spark:3.5.1', imageID: '', state: { waiting: { reason } } }];
  return c;
}

export function running(p: Obj, startedAt = '2026-11-25T10:00:20Z'): Obj {
  const c = bump(p);
  const s = status(c);
  s['phase'] = 'Running';
  s['startTime'] = '2026-11-25T10:00:02Z';
  s['conditions'] = [
    { type: 'PodScheduled', status: 'True' },
    { type: 'Ready', status: 'True' },
  ];
  s['containerStatuses'] = [{ name: containerName(c), ready: true, restartCount: 0, image: 'apache/spark:3.5.1', imageID: 'docker.io/apache/spark@sha256:abc', state: { running: { startedAt } } }];
  return c;
}

export function terminated(p: Obj, reason: string, exitCode: number, finishedAt = '2026-11-25T10:10:20Z', phase = exitCode === 0 ? 'Succeeded' : 'Failed'): Obj {
  const c = bump(p);
  const s = status(c);
  s['phase'] = phase;
  s['containerStatuses'] = [
    {
      name: containerName(c),
      ready: false,
      restartCount: 0,
      image: 'apache/spark:3.5.1',
      imageID: 'docker.io/apache/spark@sha256:abc',
      state: { terminated: { reason, exitCode, startedAt: '2026-11-25T10:00:20Z', finishedAt } },
      lastState: {},
    },
  ];
  return c;
}

export const oomKilled = (p: Obj, finishedAt?: string): Obj => terminated(p, 'OOMKilled', 137, finishedAt);

export function deleting(p: Obj, at = '2026-11-25T10:05:30Z'): Obj {
  const c = bump(p);
  meta(c)['deletionTimestamp'] = at;
  meta(c)['deletionGracePeriodSeconds'] = 30;
  return c;
}

export function disrupted(p: Obj, reason: string, podReason?: string): Obj {
  const c = terminated(p, 'Error', 143);
  const s = status(c);
  s['conditions'] = [{ type: 'DisruptionTarget', status: 'True', reason, message: 'node shutdown' }];
  if (podReason) s['reason'] = podReason;
  return c;
}

export function quota(namespace: string, name: string, hard: Record<string, string>, used: Record<string, string>, labels: Record<string, string> = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name, namespace, uid: `quota-${namespace}-${name}`, resourceVersion: nextRv(), labels },
    spec: { hard },
    status: { hard, used },
  };
}

export function namespaceObj(name: string, labels: Record<string, string> = {}): Obj {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid: `ns-${name}`, resourceVersion: nextRv(), labels } };
}

export function sparkApplication(namespace: string, name: string, state: string, submissionID = 's1'): Obj {
  return {
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'SparkApplication',
    metadata: { name, namespace, uid: `sa-${namespace}-${name}`, resourceVersion: nextRv() },
    spec: { type: 'Scala', mode: 'cluster' },
    status: { applicationState: { state }, submissionID },
  };
}
