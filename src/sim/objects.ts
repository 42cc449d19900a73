/**
 * Builders for realistic objects: pods shaped like what the API server serves for Spark 3.5
 * (5–10 KB of JSON each), nodes, namespaces, quotas, limit ranges, SparkApplications and Events.
 * Parts identical across an app's executors (volumes, tolerations, managedFields) are built once
 * per app and shared by reference: stored objects are immutable, so sharing is safe and keeps
 * 150k pods within memory.
 */
import { rfc3339 } from './time.js';
import type { ContainerStatus, KObject, NodeObj, OwnerReference, Pod, PodCondition, ResourceQuotaObj, Taint, Toleration } from './types.js';
import { formatBytes, formatCpu } from './quantity.js';
import type { Prng } from './prng.js';

export const SPOT_TAINT: Taint = { key: 'cloud.google.com/gke-spot', value: 'true', effect: 'NoSchedule' };
export const GPU_TAINT: Taint = { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' };

export interface AppIdentity {
  appId: string; // spark-<32 hex>
  appName: string; // sanitised, as in the spark-app-name label
  namespace: string;
  team: string | undefined; // only some apps label their pods
  prefix: string; // executor pod name prefix
  driverName: string;
  operatorName: string | undefined; // SparkApplication name when launched by the operator
  submissionId: string | undefined;
  sparkVersion: string;
  image: string;
  /** spark.kubernetes.executor.container.image, when it differs from the driver's. */
  executorImage?: string;
  serviceAccount: string;
  heapMiB: number;
  overheadMiB: number;
  cores: number;
  driverHeapMiB: number;
  driverOverheadMiB: number;
  driverCores: number;
  tolerateSpot: boolean;
  /** The driver tolerates the spot taint too: the misconfiguration that loses whole applications. */
  driverOnSpot?: boolean;
}

/** Per-app constants shared by all of the app's executor pods. */
export interface AppShared {
  commonLabels: Record<string, string>;
  executorLabels: Record<string, string>;
  volumes: unknown[];
  volumeMounts: unknown[];
  tolerations: Toleration[];
  staticEnv: unknown[];
  ports: unknown[];
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  managedFields: unknown[];
  securityContext: Record<string, unknown>;
  imageID: string;
  args: string[];
}

const STATUS_USER = { linux: { uid: 185, gid: 185, supplementalGroups: [185] } };

const DEFAULT_TOLERATIONS: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

function executorFieldsV1(): Record<string, unknown> {
  const env = (name: string): Record<string, unknown> => ({ [`k:{"name":"${name}"}`]: { '.': {}, 'f:name': {}, 'f:value': {} } });
  return {
    'f:metadata': {
      'f:labels': { '.': {}, 'f:spark-app-name': {}, 'f:spark-app-selector': {}, 'f:spark-exec-id': {}, 'f:spark-exec-resourceprofile-id': {}, 'f:spark-role': {}, 'f:spark-version': {} },
      'f:ownerReferences': { '.': {}, 'k:{"uid":"owner"}': {} },
    },
    'f:spec': {
      'f:containers': {
        'k:{"name":"spark-kubernetes-executor"}': {
          '.': {}, 'f:args': {}, 'f:env': Object.assign({ '.': {} }, ...['SPARK_USER', 'SPARK_DRIVER_URL', 'SPARK_EXECUTOR_CORES', 'SPARK_EXECUTOR_MEMORY', 'SPARK_APPLICATION_ID', 'SPARK_CONF_DIR', 'SPARK_EXECUTOR_ID', 'SPARK_RESOURCE_PROFILE_ID', 'SPARK_EXECUTOR_POD_NAME', 'SPARK_JAVA_OPT_0', 'SPARK_LOCAL_DIRS'].map(env)),
          'f:image': {}, 'f:imagePullPolicy': {}, 'f:name': {}, 'f:ports': { '.': {}, 'k:{"containerPort":7079,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:name': {}, 'f:protocol': {} } },
          'f:resources': { '.': {}, 'f:limits': { '.': {}, 'f:memory': {} }, 'f:requests': { '.': {}, 'f:cpu': {}, 'f:memory': {} } },
          'f:terminationMessagePath': {}, 'f:terminationMessagePolicy': {},
          'f:volumeMounts': { '.': {}, 'k:{"mountPath":"/opt/spark/conf"}': { '.': {}, 'f:mountPath': {}, 'f:name': {} }, 'k:{"mountPath":"/var/data/spark-local-dir-1"}': { '.': {}, 'f:mountPath': {}, 'f:name': {} } },
        },
      },
      'f:dnsPolicy': {}, 'f:enableServiceLinks': {}, 'f:hostname': {}, 'f:restartPolicy': {}, 'f:schedulerName': {}, 'f:securityContext': {}, 'f:serviceAccount': {}, 'f:serviceAccountName': {}, 'f:terminationGracePeriodSeconds': {},
      'f:volumes': { '.': {}, 'k:{"name":"spark-conf-volume-exec"}': { '.': {}, 'f:configMap': { '.': {}, 'f:defaultMode': {}, 'f:items': {}, 'f:name': {} }, 'f:name': {} }, 'k:{"name":"spark-local-dir-1"}': { '.': {}, 'f:emptyDir': {}, 'f:name': {} } },
    },
  };
}

function kubeletFieldsV1(): Record<string, unknown> {
  const cond = (t: string): Record<string, unknown> => ({ [`k:{"type":"${t}"}`]: { '.': {}, 'f:lastProbeTime': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} } });
  return {
    'f:status': {
      'f:conditions': Object.assign({}, ...['ContainersReady', 'Initialized', 'PodReadyToStartContainers', 'Ready'].map(cond)),
      'f:containerStatuses': {}, 'f:hostIP': {}, 'f:hostIPs': {}, 'f:phase': {}, 'f:podIP': {}, 'f:podIPs': { '.': {}, 'k:{"ip":"10.0.0.1"}': { '.': {}, 'f:ip': {} } }, 'f:startTime': {},
    },
  };
}

export function sanitiseAppName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
}

export function appShared(app: AppIdentity, createdMs: number, prng: Prng): AppShared {
  const commonLabels: Record<string, string> = {
    'spark-app-name': app.appName,
    'spark-app-selector': app.appId,
    'spark-version': app.sparkVersion,
  };
  if (app.team) commonLabels['team'] = app.team;
  if (app.operatorName) {
    commonLabels['sparkoperator.k8s.io/app-name'] = app.operatorName;
    commonLabels['sparkoperator.k8s.io/launched-by-spark-operator'] = 'true';
    if (app.submissionId) commonLabels['sparkoperator.k8s.io/submission-id'] = app.submissionId;
  }
  const totalMiB = app.heapMiB + app.overheadMiB;
  const t = rfc3339(createdMs);
  const tolerations = app.tolerateSpot ? [...DEFAULT_TOLERATIONS, { key: SPOT_TAINT.key, operator: 'Equal' as const, value: 'true', effect: 'NoSchedule' }] : DEFAULT_TOLERATIONS;
  return {
    commonLabels,
    executorLabels: { ...commonLabels, 'spark-role': 'executor', 'spark-exec-resourceprofile-id': '0' },
    volumes: [
      { name: 'spark-local-dir-1', emptyDir: {} },
      { name: 'spark-conf-volume-exec', configMap: { name: `spark-exec-${prng.hex(16)}-conf-map`, items: [{ key: 'spark-env.sh', path: 'spark-env.sh', mode: 420 }, { key: 'log4j2.properties', path: 'log4j2.properties', mode: 420 }], defaultMode: 420 } },
      { name: `kube-api-access-${prng.hex(5)}`, projected: { sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }, { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } }], defaultMode: 420 } },
    ],
    volumeMounts: [
      { name: 'spark-local-dir-1', mountPath: '/var/data/spark-local-dir-1' },
      { name: 'spark-conf-volume-exec', mountPath: '/opt/spark/conf' },
      { name: 'kube-api-access', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
    ],
    tolerations,
    staticEnv: [
      { name: 'SPARK_USER', value: 'spark' },
      { name: 'SPARK_DRIVER_URL', value: `spark://CoarseGrainedScheduler@${app.prefix}-driver-svc.${app.namespace}.svc:7078` },
      { name: 'SPARK_EXECUTOR_CORES', value: String(app.cores) },
      { name: 'SPARK_EXECUTOR_MEMORY', value: app.heapMiB % 1024 === 0 ? `${app.heapMiB / 1024}g` : `${app.heapMiB}m` },
      { name: 'SPARK_APPLICATION_ID', value: app.appId },
      { name: 'SPARK_CONF_DIR', value: '/opt/spark/conf' },
      { name: 'SPARK_RESOURCE_PROFILE_ID', value: '0' },
      { name: 'SPARK_JAVA_OPT_0', value: '-Dspark.driver.port=7078' },
      { name: 'SPARK_JAVA_OPT_1', value: '-Dspark.driver.blockManager.port=7079' },
      { name: 'SPARK_JAVA_OPT_2', value: '-Djava.net.preferIPv6Addresses=false' },
      { name: 'SPARK_JAVA_OPT_3', value: '-XX:+IgnoreUnrecognizedVMOptions' },
      { name: 'SPARK_JAVA_OPT_4', value: '--add-opens=java.base/java.lang=ALL-UNNAMED' },
      { name: 'SPARK_LOCAL_DIRS', value: '/var/data/spark-local-dir-1' },
      { name: 'SPARK_EXECUTOR_POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
    ],
    ports: [{ name: 'blockmanager', containerPort: 7079, protocol: 'TCP' }],
    resources: {
      requests: { cpu: String(app.cores), memory: `${totalMiB}Mi` },
      limits: { memory: `${totalMiB}Mi` },
    },
    managedFields: [
      { manager: 'okhttp', operation: 'Update', apiVersion: 'v1', time: t, fieldsType: 'FieldsV1', fieldsV1: executorFieldsV1() },
      { manager: 'kubelet', operation: 'Update', apiVersion: 'v1', time: t, fieldsType: 'FieldsV1', fieldsV1: kubeletFieldsV1(), subresource: 'status' },
    ],
    securityContext: { fsGroup: 185, runAsNonRoot: true, runAsUser: 185, seccompProfile: { type: 'RuntimeDefault' } },
    imageID: `${app.image.split(':')[0] ?? app.image}@sha256:${prng.hex(64)}`,
    args: ['executor'],
  };
}

export interface PodIdentity {
  name: string;
  uid: string;
  role: 'driver' | 'executor';
  execId: number | undefined;
  owner: OwnerReference | undefined;
}

function baseSpec(app: AppIdentity, shared: AppShared, containerName: string, env: unknown[], resources: AppShared['resources'], hostname: string): Pod['spec'] {
  return {
    volumes: shared.volumes,
    containers: [
      {
        name: containerName,
        image: app.image,
        args: shared.args,
        ports: shared.ports,
        env,
        resources,
        volumeMounts: shared.volumeMounts,
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy: 'IfNotPresent',
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
      },
    ],
    restartPolicy: 'Never',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    serviceAccountName: app.serviceAccount,
    serviceAccount: app.serviceAccount,
    hostname,
    securityContext: shared.securityContext,
    schedulerName: 'default-scheduler',
    tolerations: shared.tolerations,
    priority: 0,
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
  };
}

export function buildExecutorPod(app: AppIdentity, shared: AppShared, id: PodIdentity, nowMs: number): Pod {
  const env = [...shared.staticEnv, { name: 'SPARK_EXECUTOR_ID', value: String(id.execId) }, { name: 'SPARK_EXECUTOR_POD_NAME', value: id.name }];
  const spec = baseSpec(app, shared, 'spark-kubernetes-executor', env, shared.resources, id.name.slice(0, 63));
  if (app.executorImage) spec.containers = spec.containers.map((c) => ({ ...c, image: app.executorImage ?? c.image }));
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: id.name,
      namespace: app.namespace,
      uid: id.uid,
      resourceVersion: '0',
      creationTimestamp: rfc3339(nowMs),
      labels: { ...shared.executorLabels, 'spark-exec-id': String(id.execId) },
      ownerReferences: id.owner ? [id.owner] : [],
      managedFields: shared.managedFields,
    },
    spec,
    status: { phase: 'Pending', qosClass: 'Burstable' },
  };
}

export function buildDriverPod(app: AppIdentity, shared: AppShared, id: PodIdentity, nowMs: number): Pod {
  const totalMiB = app.driverHeapMiB + app.driverOverheadMiB;
  const env = [
    { name: 'SPARK_USER', value: 'spark' },
    { name: 'SPARK_APPLICATION_ID', value: app.appId },
    { name: 'SPARK_DRIVER_BIND_ADDRESS', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } },
    { name: 'SPARK_LOCAL_DIRS', value: '/var/data/spark-local-dir-1' },
    { name: 'SPARK_CONF_DIR', value: '/opt/spark/conf' },
  ];
  const resources = { requests: { cpu: String(app.driverCores), memory: `${totalMiB}Mi` }, limits: { memory: `${totalMiB}Mi` } };
  const labels: Record<string, string> = { ...shared.commonLabels, 'spark-role': 'driver' };
  const spec = baseSpec(app, shared, 'spark-kubernetes-driver', env, resources, id.name.slice(0, 63));
  // The driver stays on on-demand capacity even when executors tolerate spot, unless misconfigured.
  spec.tolerations = app.driverOnSpot ? [...DEFAULT_TOLERATIONS, { key: SPOT_TAINT.key, operator: 'Equal' as const, value: 'true', effect: 'NoSchedule' }] : DEFAULT_TOLERATIONS;
  // Misconfigured as a whole: the executors' spot node selector copied onto the driver as well.
  if (app.driverOnSpot) spec.nodeSelector = { ...(spec.nodeSelector as Record<string, string> | undefined), [SPOT_TAINT.key]: 'true' };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: id.name, namespace: app.namespace, uid: id.uid, resourceVersion: '0', creationTimestamp: rfc3339(nowMs), labels, managedFields: shared.managedFields },
    spec: { ...spec, containers: spec.containers.map((c) => ({ ...c, args: ['driver', '--properties-file', '/opt/spark/conf/spark.properties', '--class', 'org.apache.spark.examples.SparkPi', 'local:///opt/spark/examples/jars/spark-examples.jar'] })) },
    status: { phase: 'Pending', qosClass: 'Burstable' },
  };
}

/** Pod-level effects of lifecycle steps, each returning a fresh pod. */
function cond(type: string, status: PodCondition['status'], t: string, reason?: string, message?: string): PodCondition {
  const c: PodCondition = { type, status, lastProbeTime: null, lastTransitionTime: t };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

function containerStatus(pod: Pod, state: ContainerStatus['state'], ready: boolean, imageID: string, containerID: string | undefined): ContainerStatus[] {
  return pod.spec.containers.map((c) => {
    const s: ContainerStatus = { name: c.name, state, lastState: {}, ready, restartCount: 0, image: c.image, imageID, started: ready };
    // Kubelets since 1.30 report resources, mounts and the user the container runs as.
    if (c.resources) s['resources'] = c.resources;
    if (Array.isArray(c['volumeMounts'])) s['volumeMounts'] = (c['volumeMounts'] as Array<Record<string, unknown>>).map((m) => ({ ...m, recursiveReadOnly: m['readOnly'] ? 'Disabled' : undefined }));
    s['user'] = STATUS_USER;
    if (containerID) s.containerID = containerID;
    return s;
  });
}

export function withUnschedulable(pod: Pod, nowMs: number, message: string): Pod {
  return { ...pod, status: { phase: 'Pending', qosClass: 'Burstable', conditions: [cond('PodScheduled', 'False', rfc3339(nowMs), 'Unschedulable', message)] } };
}

export function withScheduled(pod: Pod, nowMs: number, nodeName: string, hostIP: string): Pod {
  const t = rfc3339(nowMs);
  return {
    ...pod,
    spec: { ...pod.spec, nodeName },
    status: {
      phase: 'Pending',
      conditions: [cond('PodReadyToStartContainers', 'False', t), cond('Initialized', 'True', t), cond('Ready', 'False', t, 'ContainersNotReady', `containers with unready status: [${pod.spec.containers.map((c) => c.name).join(' ')}]`), cond('ContainersReady', 'False', t, 'ContainersNotReady', `containers with unready status: [${pod.spec.containers.map((c) => c.name).join(' ')}]`), cond('PodScheduled', 'True', t)],
      hostIP,
      hostIPs: [{ ip: hostIP }],
      startTime: t,
      containerStatuses: containerStatus(pod, { waiting: { reason: 'ContainerCreating' } }, false, '', undefined),
      qosClass: 'Burstable',
    },
  };
}

export function withWaiting(pod: Pod, reason: string, message: string): Pod {
  return { ...pod, status: { ...pod.status, containerStatuses: containerStatus(pod, { waiting: { reason, message } }, false, '', undefined) } };
}

export function withRunning(pod: Pod, nowMs: number, podIP: string, imageID: string, containerID: string): Pod {
  const t = rfc3339(nowMs);
  const prev = pod.status.conditions ?? [];
  const scheduled = prev.find((c) => c.type === 'PodScheduled') ?? cond('PodScheduled', 'True', t);
  const initialized = prev.find((c) => c.type === 'Initialized') ?? cond('Initialized', 'True', t);
  return {
    ...pod,
    status: {
      ...pod.status,
      phase: 'Running',
      conditions: [cond('PodReadyToStartContainers', 'True', t), initialized, cond('Ready', 'True', t), cond('ContainersReady', 'True', t), scheduled],
      podIP,
      podIPs: [{ ip: podIP }],
      containerStatuses: containerStatus(pod, { running: { startedAt: t } }, true, imageID, containerID),
    },
  };
}

export interface Termination {
  reason: string; // container terminated reason: Completed | OOMKilled | Error
  exitCode: number;
  phase: 'Succeeded' | 'Failed';
  podReason?: string; // pod status.reason: Evicted | Terminated
  podMessage?: string;
  disruption?: { reason: string; message: string };
}

export function withTerminated(pod: Pod, nowMs: number, term: Termination): Pod {
  const t = rfc3339(nowMs);
  const prevStatuses = pod.status.containerStatuses ?? [];
  const conditions = (pod.status.conditions ?? [])
    .filter((c) => c.type !== 'DisruptionTarget')
    .map((c) => (c.type === 'Ready' || c.type === 'ContainersReady' || c.type === 'PodReadyToStartContainers' ? cond(c.type, 'False', t, c.type === 'PodReadyToStartContainers' ? undefined : 'PodFailed') : c));
  if (term.disruption) conditions.unshift(cond('DisruptionTarget', 'True', t, term.disruption.reason, term.disruption.message));
  const statuses: ContainerStatus[] = pod.spec.containers.map((c, i) => {
    const prev = prevStatuses[i];
    const startedAt = prev?.state.running?.startedAt;
    const terminated: NonNullable<ContainerStatus['state']['terminated']> = { exitCode: term.exitCode, reason: term.reason, finishedAt: t };
    if (startedAt) terminated.startedAt = startedAt;
    if (prev?.containerID) terminated.containerID = prev.containerID;
    return { name: c.name, state: { terminated }, lastState: {}, ready: false, restartCount: 0, image: c.image, imageID: prev?.imageID ?? '', ...(prev?.containerID ? { containerID: prev.containerID } : {}), started: false };
  });
  const status: Pod['status'] = { ...pod.status, phase: term.phase, conditions, containerStatuses: statuses };
  if (term.podReason) status.reason = term.podReason;
  if (term.podMessage) status.message = term.podMessage;
  return { ...pod, status };
}

export function withDeletion(obj: Pod, nowMs: number, graceSeconds: number): Pod {
  return { ...obj, metadata: { ...obj.metadata, deletionTimestamp: rfc3339(nowMs + graceSeconds * 1000), deletionGracePeriodSeconds: graceSeconds } };
}

export interface NodeSpecIn {
  name: string;
  pool: 'on-demand' | 'spot' | 'gpu';
  cpu: number;
  memoryMiB: number;
  zone: string;
  instanceType: string;
  internalIP: string;
}

export function buildNode(n: NodeSpecIn, nowMs: number, uid: string): NodeObj {
  const taints: Taint[] = n.pool === 'spot' ? [SPOT_TAINT] : n.pool === 'gpu' ? [GPU_TAINT] : [];
  const labels: Record<string, string> = {
    'kubernetes.io/hostname': n.name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'node.kubernetes.io/instance-type': n.instanceType,
    'topology.kubernetes.io/zone': n.zone,
    'topology.kubernetes.io/region': n.zone.slice(0, -2),
    'cloud.google.com/gke-nodepool': `spark-${n.pool}`,
  };
  if (n.pool === 'spot') labels['cloud.google.com/gke-spot'] = 'true';
  if (n.pool === 'gpu') labels['cloud.google.com/gke-accelerator'] = 'nvidia-l4';
  const t = rfc3339(nowMs);
  const alloc = { cpu: formatCpu(n.cpu - 0.11), memory: `${n.memoryMiB - 1024}Mi`, pods: '110', 'ephemeral-storage': '94060482040' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: n.name, uid, resourceVersion: '0', creationTimestamp: t, labels, annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' } },
    spec: { taints, providerID: `gce://sim-project/${n.zone}/${n.name}`, podCIDR: '10.4.0.0/24' },
    status: {
      capacity: { cpu: String(n.cpu), memory: `${n.memoryMiB}Mi`, pods: '110', 'ephemeral-storage': '101430960Ki' },
      allocatable: alloc,
      conditions: [
        { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: t, lastTransitionTime: t, reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
        { type: 'DiskPressure', status: 'False', lastHeartbeatTime: t, lastTransitionTime: t, reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
        { type: 'PIDPressure', status: 'False', lastHeartbeatTime: t, lastTransitionTime: t, reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
        { type: 'Ready', status: 'True', lastHeartbeatTime: t, lastTransitionTime: t, reason: 'KubeletReady', message: 'kubelet is posting ready status' },
      ],
      addresses: [{ type: 'InternalIP', address: n.internalIP }, { type: 'Hostname', address: n.name }],
      nodeInfo: { kubeletVersion: 'v1.33.2', containerRuntimeVersion: 'containerd://1.7.24', kernelVersion: '6.6.56+', osImage: 'Container-Optimized OS from Google', operatingSystem: 'linux', architecture: 'amd64', kubeProxyVersion: 'v1.33.2', machineID: '', systemUUID: '', bootID: '' },
    },
  };
}

export function buildNamespace(name: string, team: string | undefined, nowMs: number, uid: string): KObject {
  const labels: Record<string, string> = { 'kubernetes.io/metadata.name': name };
  if (team) labels['team'] = team;
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, uid, resourceVersion: '0', creationTimestamp: rfc3339(nowMs), labels }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } };
}

export function buildQuota(namespace: string, name: string, hard: Record<string, string>, nowMs: number, uid: string): ResourceQuotaObj {
  const used: Record<string, string> = {};
  for (const k of Object.keys(hard)) used[k] = '0';
  return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace, uid, resourceVersion: '0', creationTimestamp: rfc3339(nowMs) }, spec: { hard }, status: { hard: { ...hard }, used } };
}

export function buildLimitRange(namespace: string, nowMs: number, uid: string): KObject {
  return {
    apiVersion: 'v1', kind: 'LimitRange',
    metadata: { name: 'spark-defaults', namespace, uid, resourceVersion: '0', creationTimestamp: rfc3339(nowMs) },
    spec: { limits: [{ type: 'Container', default: { memory: '2Gi' }, defaultRequest: { cpu: '500m', memory: '1Gi' }, max: { memory: '64Gi' } }] },
  };
}

export function buildSparkApplication(app: AppIdentity, nowMs: number, uid: string, executors: { min: number; max: number; idleTimeoutS: number; shuffleTracking: boolean | undefined }, retries: number): KObject {
  return {
    apiVersion: 'sparkoperator.k8s.io/v1beta2',
    kind: 'SparkApplication',
    metadata: { name: app.operatorName ?? app.appName, namespace: app.namespace, uid, resourceVersion: '0', creationTimestamp: rfc3339(nowMs), generation: 1, labels: app.team ? { team: app.team } : {} },
    spec: {
      type: 'Scala', mode: 'cluster', image: app.image, imagePullPolicy: 'IfNotPresent', sparkVersion: app.sparkVersion,
      mainClass: 'com.example.etl.Main', mainApplicationFile: 'local:///opt/spark/jars/etl.jar',
      driver: { cores: app.driverCores, memory: `${app.driverHeapMiB}m`, serviceAccount: app.serviceAccount, labels: app.team ? { team: app.team } : {} },
      executor: { cores: app.cores, memory: `${app.heapMiB}m`, memoryOverhead: `${app.overheadMiB}m`, instances: executors.min, labels: app.team ? { team: app.team } : {} },
      // Unset, the operator turns shuffle tracking on with dynamic allocation.
      dynamicAllocation: { enabled: true, minExecutors: executors.min, maxExecutors: executors.max, ...(executors.shuffleTracking === undefined ? {} : { shuffleTrackingEnabled: executors.shuffleTracking }) },
      // The operator has no field for the idle timeout: users set it in sparkConf, in Spark's time syntax.
      sparkConf: { 'spark.dynamicAllocation.executorIdleTimeout': `${executors.idleTimeoutS}s` },
      restartPolicy: { type: 'OnFailure', onFailureRetries: retries, onFailureRetryInterval: 10, onSubmissionFailureRetries: 3 },
    },
    status: { applicationState: { state: '' }, executionAttempts: 0, submissionAttempts: 0 },
  };
}

export function buildEvent(args: { namespace: string; name: string; uid: string; nowMs: number; involved: { kind: string; name: string; uid: string; apiVersion?: string }; type: 'Normal' | 'Warning'; reason: string; message: string; component: string }): KObject {
  const t = rfc3339(args.nowMs);
  return {
    apiVersion: 'v1', kind: 'Event',
    metadata: { name: args.name, namespace: args.namespace, uid: args.uid, resourceVersion: '0', creationTimestamp: t },
    involvedObject: { kind: args.involved.kind, namespace: args.namespace, name: args.involved.name, uid: args.involved.uid, apiVersion: args.involved.apiVersion ?? 'v1' },
    reason: args.reason, message: args.message, source: { component: args.component },
    firstTimestamp: t, lastTimestamp: t, count: 1, type: args.type, eventTime: null, reportingComponent: args.component, reportingInstance: '',
  };
}

export { formatBytes };
