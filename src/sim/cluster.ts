/**
 * The simulated control plane: object store plus what the API server, scheduler, kubelets and
 * garbage collector do to pods. Everything runs on simulated time advanced in whole steps, so a
 * seeded run is reproducible regardless of how fast the host is.
 */
import { Store, keyOf, type StoreEvent } from './store.js';
import { Prng } from './prng.js';
import { rfc3339 } from './time.js';
import { parseQuantity } from './quantity.js';
import { ApiError, alreadyExists, badRequest, invalid, notFound } from './errors.js';
import { addUsage, checkQuota, containerResources, isTerminal, podUsage, usedFor, type Usage } from './quota.js';
import { buildEvent, buildNode, withDeletion, withRunning, withScheduled, withTerminated, withUnschedulable, withWaiting, type NodeSpecIn, type Termination } from './objects.js';
import { isRecord, type KObject, type NodeObj, type Pod, type ResourceQuotaObj, type Taint, type Toleration } from './types.js';

export interface NodeState {
  name: string;
  pool: string;
  taints: Taint[];
  allocCpu: number;
  allocMem: number;
  usedCpu: number;
  usedMem: number;
  ip: string;
  warmImages: Set<string>;
  podCount: number;
}

interface PodRuntime {
  stage: 'creating' | 'pull-failing' | 'running';
  readyAt: number;
  failsLeft: number;
  pullReason?: string;
}

interface PendingDeletion {
  ns: string;
  name: string;
  terminateAt: number;
  removeAt: number;
}

/** Why an executor ended, as the workload intended it; recorded before the pod change lands. */
export type SimExitReason = 'completed' | 'oom_killed' | 'error' | 'evicted' | 'preempted' | 'deleted';

export interface ClusterOptions {
  seed: number;
  startMs: number;
  events?: boolean;
}

export function tolerates(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') return true;
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return t.key === undefined || t.key === '' || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

/** What the scheduler places a pod by: its summed requests. */
export function podRequests(pod: Pod): { cpu: number; mem: number } {
  const { reqCpu, reqMem } = containerResources(pod);
  return { cpu: reqCpu, mem: reqMem };
}

/** `0/N nodes are available: …` as kube-scheduler words it (reasons sorted, counts first). */
export function unschedulableMessage(total: number, reasons: Map<string, number>): string {
  const parts = [...reasons.entries()].map(([r, n]) => `${n} ${r}`).sort((a, b) => {
    const ra = a.replace(/^\d+ /, '');
    const rb = b.replace(/^\d+ /, '');
    return ra < rb ? -1 : ra > rb ? 1 : 0;
  });
  return `0/${total} nodes are available: ${parts.join(', ')}.`;
}

export class Cluster {
  readonly store: Store;
  readonly prng: Prng;
  now: number;
  readonly nodes = new Map<string, NodeState>();
  private readonly nsUsage = new Map<string, Usage>();
  private readonly dirtyQuota = new Set<string>();
  private readonly runtimes = new Map<string, PodRuntime>();
  private readonly deletions = new Map<string, PendingDeletion>();
  private readonly unscheduled = new Set<string>();
  private readonly ownerIndex = new Map<string, Set<string>>();
  /** Images that fail to pull: probability per pull attempt. */
  readonly imagePullFailure = new Map<string, number>();
  /** Intended exit per pod key, read by the workload's truth recorder. */
  readonly exitIntent = new Map<string, SimExitReason>();
  private ipSeq = 0;
  private eventSeq = 0;
  eventsEnabled: boolean;
  /** Counts rejected creates (403) so tests can see admission at work. */
  quotaRejections = 0;

  constructor(opts: ClusterOptions) {
    this.store = new Store();
    this.prng = new Prng(opts.seed);
    this.now = opts.startMs;
    this.eventsEnabled = opts.events ?? true;
    this.store.subscribe((ev, prev) => this.account(ev, prev));
  }

  uid(): string {
    return this.prng.uuid();
  }

  nextPodIP(): string {
    const n = ++this.ipSeq;
    return `10.${8 + ((n >> 16) & 0x7)}.${(n >> 8) & 0xff}.${n & 0xff}`;
  }

  // ---- accounting ---------------------------------------------------------------------------

  private account(ev: StoreEvent, prev: KObject | undefined): void {
    if (ev.resource !== 'pods') return;
    const pod = ev.obj as Pod;
    const old = prev as Pod | undefined;
    const ns = pod.metadata.namespace ?? '';
    const key = keyOf(ns, pod.metadata.name);
    let usage = this.nsUsage.get(ns);
    if (!usage) {
      usage = {};
      this.nsUsage.set(ns, usage);
    }
    const before = old ? podUsage(old) : {};
    const after = ev.type === 'DELETED' ? {} : podUsage(pod);
    addUsage(usage, before, -1);
    addUsage(usage, after, 1);
    if (Object.keys(before).length + Object.keys(after).length > 0) this.dirtyQuota.add(ns);
    // Node allocation follows the same rule: bound and not terminal.
    if (old?.spec.nodeName && !isTerminal(old)) this.release(old.spec.nodeName, old);
    if (ev.type !== 'DELETED' && pod.spec.nodeName && !isTerminal(pod)) this.reserve(pod.spec.nodeName, pod);
    // Owner index for garbage collection of executors when their driver goes.
    for (const o of old?.metadata.ownerReferences ?? []) this.ownerIndex.get(o.uid)?.delete(key);
    if (ev.type !== 'DELETED') {
      for (const o of pod.metadata.ownerReferences ?? []) {
        let set = this.ownerIndex.get(o.uid);
        if (!set) {
          set = new Set();
          this.ownerIndex.set(o.uid, set);
        }
        set.add(key);
      }
    }
    if (ev.type === 'DELETED') {
      this.runtimes.delete(key);
      this.unscheduled.delete(key);
      this.deletions.delete(key);
      const dependents = this.ownerIndex.get(pod.metadata.uid);
      if (dependents) {
        this.ownerIndex.delete(pod.metadata.uid);
        for (const dep of dependents) {
          const [dns, dname] = dep.split('/');
          if (dns !== undefined && dname !== undefined && this.store.get('pods', dns, dname)) {
            if (!this.exitIntent.has(dep)) this.exitIntent.set(dep, 'deleted');
            this.deletePod(dns, dname, 30);
          }
        }
      }
    } else if (!pod.spec.nodeName && !isTerminal(pod) && !pod.metadata.deletionTimestamp) {
      this.unscheduled.add(key);
    } else {
      this.unscheduled.delete(key);
    }
  }

  private reserve(nodeName: string, pod: Pod): void {
    const n = this.nodes.get(nodeName);
    if (!n) return;
    const r = podRequests(pod);
    n.usedCpu += r.cpu;
    n.usedMem += r.mem;
    n.podCount++;
  }

  private release(nodeName: string, pod: Pod): void {
    const n = this.nodes.get(nodeName);
    if (!n) return;
    const r = podRequests(pod);
    n.usedCpu -= r.cpu;
    n.usedMem -= r.mem;
    n.podCount--;
  }

  usage(ns: string): Usage {
    return { ...(this.nsUsage.get(ns) ?? {}) };
  }

  /**
   * Replaces a quota's hard limits as `kubectl edit` would (spec.hard), and as the quota controller
   * then does, its status.hard; usage is recomputed against the new keys at the next flush.
   */
  setQuotaHard(ns: string, name: string, hard: Record<string, string>): void {
    const quota = this.store.get('resourcequotas', ns, name) as ResourceQuotaObj | undefined;
    if (!quota) throw new Error(`no quota ${ns}/${name}`);
    const used = usedFor(hard, this.nsUsage.get(ns) ?? {});
    this.store.put('resourcequotas', { ...quota, spec: { ...quota.spec, hard: { ...hard } }, status: { hard: { ...hard }, used } });
  }

  /** Writes quota `status.used` for namespaces whose usage changed (the quota controller's job). */
  flushQuotas(): void {
    for (const ns of this.dirtyQuota) {
      const usage = this.nsUsage.get(ns) ?? {};
      for (const q of this.store.list('resourcequotas', ns)) {
        const quota = q as ResourceQuotaObj;
        const used = usedFor(quota.status.hard, usage);
        const same = Object.keys(used).every((k) => quota.status.used[k] === used[k]);
        if (!same) this.store.put('resourcequotas', { ...quota, status: { hard: quota.status.hard, used } });
      }
    }
    this.dirtyQuota.clear();
  }

  // ---- nodes --------------------------------------------------------------------------------

  addNode(spec: NodeSpecIn): NodeObj {
    const node = this.store.put('nodes', buildNode(spec, this.now, this.uid()));
    this.registerNode(node);
    return node;
  }

  private registerNode(node: NodeObj): void {
    this.nodes.set(node.metadata.name, {
      name: node.metadata.name,
      pool: node.metadata.labels?.['cloud.google.com/gke-nodepool'] ?? 'default',
      taints: node.spec.taints ?? [],
      allocCpu: parseQuantity(node.status.allocatable['cpu'] ?? '0'),
      allocMem: parseQuantity(node.status.allocatable['memory'] ?? '0'),
      usedCpu: 0,
      usedMem: 0,
      ip: (node.status['addresses'] as Array<{ address: string }> | undefined)?.[0]?.address ?? '10.128.0.1',
      warmImages: new Set(),
      podCount: 0,
    });
  }

  /** Pods bound to a node (linear scan: only used for preemption, which is rare). */
  podsOnNode(nodeName: string): Pod[] {
    const out: Pod[] = [];
    for (const p of this.store.list('pods')) if ((p as Pod).spec.nodeName === nodeName) out.push(p as Pod);
    return out;
  }

  /**
   * Spot reclaim: the kubelet marks every pod on the node as a disruption target, kills it
   * (exit 143), then the node goes away and the pods are deleted.
   */
  preemptNode(nodeName: string): string[] {
    const keys: string[] = [];
    for (const pod of this.podsOnNode(nodeName)) {
      const key = keyOf(pod.metadata.namespace, pod.metadata.name);
      keys.push(key);
      if (!this.exitIntent.has(key)) this.exitIntent.set(key, 'preempted');
      if (!isTerminal(pod)) {
        this.store.put('pods', withTerminated(pod, this.now, {
          reason: 'Error', exitCode: 143, phase: 'Failed', podReason: 'Terminated',
          podMessage: 'Pod was terminated in response to imminent node shutdown.',
          disruption: { reason: 'TerminationByKubelet', message: 'Pod was terminated in response to imminent node shutdown.' },
        }));
      }
      this.deletions.set(key, { ns: pod.metadata.namespace ?? '', name: pod.metadata.name, terminateAt: this.now, removeAt: this.now + 2000 });
    }
    this.nodes.delete(nodeName);
    this.store.remove('nodes', undefined, nodeName);
    return keys;
  }

  // ---- pods ---------------------------------------------------------------------------------

  /** Admission + persistence for a new pod, as POST /api/v1/namespaces/NS/pods does. */
  createPod(pod: Pod): Pod {
    const ns = pod.metadata.namespace ?? '';
    if (!this.store.get('namespaces', undefined, ns)) throw notFound('namespaces', ns);
    if (this.store.get('pods', ns, pod.metadata.name)) throw alreadyExists('pods', pod.metadata.name);
    const quotas = [...this.store.list('resourcequotas', ns)].map((q) => ({ name: q.metadata.name, hard: (q as ResourceQuotaObj).spec.hard }));
    if (quotas.length > 0) {
      const denied = checkQuota(pod, quotas, this.nsUsage.get(ns) ?? {});
      if (denied) {
        this.quotaRejections++;
        throw new ApiError(403, 'Forbidden', `pods "${pod.metadata.name}" is forbidden: ${denied}`, { name: pod.metadata.name, kind: 'pods' });
      }
    }
    const stored = this.store.put('pods', pod);
    this.flushQuotas();
    return stored;
  }

  /**
   * DELETE on a pod: unbound or finished pods go at once; running ones get a deletionTimestamp,
   * their containers stop on SIGTERM (exit 143) a second later, then the kubelet removes them.
   */
  deletePod(ns: string, name: string, graceSeconds = 30): Pod {
    const pod = this.store.get('pods', ns, name) as Pod | undefined;
    if (!pod) throw notFound('pods', name);
    const key = keyOf(ns, name);
    if (pod.metadata.deletionTimestamp) {
      if (graceSeconds === 0) return this.store.remove('pods', ns, name) as Pod;
      return pod;
    }
    if (!pod.spec.nodeName || graceSeconds === 0) {
      return this.store.remove('pods', ns, name) as Pod;
    }
    const marked = this.store.put('pods', withDeletion(pod, this.now, graceSeconds));
    const terminateAt = isTerminal(pod) ? this.now : this.now + 1000;
    this.deletions.set(key, { ns, name, terminateAt, removeAt: terminateAt + 1000 });
    return marked;
  }

  /** Ends a pod's containers the way the kubelet reports it (OOMKilled, Completed, Error, …). */
  terminatePod(ns: string, name: string, term: Termination, intent?: SimExitReason): Pod | undefined {
    const pod = this.store.get('pods', ns, name) as Pod | undefined;
    if (!pod || isTerminal(pod)) return undefined;
    if (intent) this.exitIntent.set(keyOf(ns, name), intent);
    this.runtimes.delete(keyOf(ns, name));
    return this.store.put('pods', withTerminated(pod, this.now, term));
  }

  // ---- generic objects ----------------------------------------------------------------------

  /** Create for non-pod resources: defaults metadata and, for quotas, computes usage. */
  createObject(resource: string, obj: KObject): KObject {
    const ns = obj.metadata.namespace;
    if (ns !== undefined && !this.store.get('namespaces', undefined, ns)) throw notFound('namespaces', ns);
    if (this.store.get(resource, ns, obj.metadata.name)) throw alreadyExists(resource, obj.metadata.name, resource === 'sparkapplications' ? 'sparkoperator.k8s.io' : '');
    if (resource === 'resourcequotas') {
      const spec = isRecord(obj.spec) ? obj.spec : {};
      const hardIn = isRecord(spec['hard']) ? spec['hard'] : {};
      const hard: Record<string, string> = {};
      for (const [k, v] of Object.entries(hardIn)) {
        const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v : '';
        try {
          parseQuantity(text);
        } catch {
          throw invalid('resourcequotas', 'ResourceQuota', obj.metadata.name, `spec.hard[${k}]: Invalid value: "${text}": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
        }
        hard[k] = text;
      }
      const quota: ResourceQuotaObj = { ...obj, kind: 'ResourceQuota', spec: { hard }, status: { hard: { ...hard }, used: usedFor(hard, this.nsUsage.get(ns ?? '') ?? {}) } };
      return this.store.put(resource, quota);
    }
    const stored = this.store.put(resource, obj);
    if (resource === 'nodes') this.registerNode(stored as NodeObj);
    return stored;
  }

  deleteObject(resource: string, ns: string | undefined, name: string, graceSeconds?: number): KObject {
    if (resource === 'pods') return this.deletePod(ns ?? '', name, graceSeconds ?? 30);
    const existing = this.store.get(resource, ns, name);
    if (!existing) throw notFound(resource, name, resource === 'sparkapplications' ? 'sparkoperator.k8s.io' : '');
    if (resource === 'namespaces') {
      for (const r of ['pods', 'resourcequotas', 'limitranges', 'events', 'sparkapplications', 'scheduledsparkapplications', 'sparkapplications.spark.apache.org']) {
        for (const o of [...this.store.list(r, name)]) this.store.remove(r, name, o.metadata.name);
      }
    }
    if (resource === 'nodes') this.nodes.delete(name);
    const gone = this.store.remove(resource, ns, name);
    if (!gone) throw notFound(resource, name);
    return gone;
  }

  /** Merge-style patch of metadata.labels / metadata.annotations (what label tooling sends). */
  patchMetadata(resource: string, ns: string | undefined, name: string, patch: unknown): KObject {
    const existing = this.store.get(resource, ns, name);
    if (!existing) throw notFound(resource, name);
    if (!isRecord(patch)) throw badRequest('the patch body must be a JSON object');
    const meta = isRecord(patch['metadata']) ? patch['metadata'] : {};
    const merge = (current: Record<string, string> | undefined, delta: unknown, field: string): Record<string, string> | undefined => {
      if (delta === undefined) return current;
      if (delta === null) return undefined;
      if (!isRecord(delta)) throw badRequest(`metadata.${field} must be an object`);
      const out = { ...(current ?? {}) };
      for (const [k, v] of Object.entries(delta)) {
        if (v === null) delete out[k];
        else if (typeof v === 'string') out[k] = v;
        else throw badRequest(`metadata.${field}.${k} must be a string`);
      }
      return out;
    };
    const labels = merge(existing.metadata.labels, meta['labels'], 'labels');
    const annotations = merge(existing.metadata.annotations, meta['annotations'], 'annotations');
    const metadata = { ...existing.metadata };
    if (labels) metadata.labels = labels;
    else delete metadata.labels;
    if (annotations) metadata.annotations = annotations;
    else delete metadata.annotations;
    return this.store.put(resource, { ...existing, metadata });
  }

  recordEvent(involved: KObject, type: 'Normal' | 'Warning', reason: string, message: string, component: string): void {
    if (!this.eventsEnabled) return;
    const ns = involved.metadata.namespace ?? 'default';
    if (!this.store.get('namespaces', undefined, ns)) return;
    const name = `${involved.metadata.name}.${(this.now * 1000 + ++this.eventSeq).toString(16)}`;
    this.store.put('events', buildEvent({ namespace: ns, name, uid: this.uid(), nowMs: this.now, involved: { kind: involved.kind, name: involved.metadata.name, uid: involved.metadata.uid }, type, reason, message, component }));
  }

  // ---- time ---------------------------------------------------------------------------------

  /** One step of the control plane at simulated time `t`: deletions, scheduling, kubelets. */
  step(t: number): void {
    this.now = t;
    this.processDeletions();
    this.schedule();
    this.runKubelets();
    this.expireEvents();
    this.flushQuotas();
  }

  private processDeletions(): void {
    for (const [key, d] of [...this.deletions]) {
      const pod = this.store.get('pods', d.ns, d.name) as Pod | undefined;
      if (!pod) {
        this.deletions.delete(key);
        continue;
      }
      if (!isTerminal(pod) && this.now >= d.terminateAt) {
        this.runtimes.delete(key);
        this.recordEvent(pod, 'Normal', 'Killing', `Stopping container ${pod.spec.containers[0]?.name ?? ''}`, 'kubelet');
        this.store.put('pods', withTerminated(pod, this.now, { reason: 'Error', exitCode: 143, phase: 'Failed' }));
      }
      if (this.now >= d.removeAt) {
        this.deletions.delete(key);
        this.store.remove('pods', d.ns, d.name);
      }
    }
  }

  private schedule(): void {
    if (this.unscheduled.size === 0) return;
    const nodes = [...this.nodes.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const key of [...this.unscheduled]) {
      const [ns, name] = key.split('/');
      if (ns === undefined || name === undefined) continue;
      const pod = this.store.get('pods', ns, name) as Pod | undefined;
      if (!pod || pod.spec.nodeName || pod.metadata.deletionTimestamp) {
        this.unscheduled.delete(key);
        continue;
      }
      const req = podRequests(pod);
      const reasons = new Map<string, number>();
      const bump = (r: string): void => {
        reasons.set(r, (reasons.get(r) ?? 0) + 1);
      };
      let best: NodeState | undefined;
      let bestScore = -Infinity;
      for (const n of nodes) {
        const untolerated = n.taints.find((t) => !tolerates(pod.spec.tolerations, t));
        if (untolerated) {
          bump(`node(s) had untolerated taint {${untolerated.key}: ${untolerated.value ?? ''}}`);
          continue;
        }
        const selector = pod.spec.nodeSelector ?? {};
        const nodeObj = this.store.get('nodes', undefined, n.name);
        if (Object.entries(selector).some(([k, v]) => nodeObj?.metadata.labels?.[k] !== v)) {
          bump("node(s) didn't match Pod's node affinity/selector");
          continue;
        }
        let fits = true;
        if (n.usedCpu + req.cpu > n.allocCpu + 1e-9) {
          bump('Insufficient cpu');
          fits = false;
        }
        if (n.usedMem + req.mem > n.allocMem) {
          bump('Insufficient memory');
          fits = false;
        }
        if (!fits) continue;
        // LeastAllocated, as the default scheduler scores: spread load over nodes.
        const score = (1 - (n.usedCpu + req.cpu) / n.allocCpu) + (1 - (n.usedMem + req.mem) / n.allocMem);
        if (score > bestScore) {
          bestScore = score;
          best = n;
        }
      }
      if (best) {
        this.unscheduled.delete(key);
        const bound = this.store.put('pods', withScheduled(pod, this.now, best.name, best.ip));
        this.recordEvent(bound, 'Normal', 'Scheduled', `Successfully assigned ${ns}/${name} to ${best.name}`, 'default-scheduler');
        const image = pod.spec.containers[0]?.image ?? '';
        const warm = best.warmImages.has(image);
        const pull = warm ? this.prng.between(1000, 3000) : this.prng.between(15_000, 60_000);
        const failP = this.imagePullFailure.get(image) ?? 0;
        const failsLeft = !warm && failP > 0 ? (failP >= 1 ? Infinity : this.prng.chance(failP) ? this.prng.int(1, 3) : 0) : 0;
        this.runtimes.set(key, { stage: 'creating', readyAt: this.now + pull, failsLeft });
      } else {
        const message = unschedulableMessage(nodes.length, reasons);
        const current = pod.status.conditions?.find((c) => c.type === 'PodScheduled');
        if (current?.message !== message) {
          const updated = this.store.put('pods', withUnschedulable(pod, this.now, message));
          this.recordEvent(updated, 'Warning', 'FailedScheduling', message, 'default-scheduler');
        }
      }
    }
  }

  private runKubelets(): void {
    for (const [key, rt] of this.runtimes) {
      if (rt.stage === 'running' || this.now < rt.readyAt) continue;
      const [ns, name] = key.split('/');
      if (ns === undefined || name === undefined) continue;
      const pod = this.store.get('pods', ns, name) as Pod | undefined;
      if (!pod || pod.metadata.deletionTimestamp || isTerminal(pod) || !pod.spec.nodeName) continue;
      const node = this.nodes.get(pod.spec.nodeName);
      const image = pod.spec.containers[0]?.image ?? '';
      if (rt.failsLeft > 0) {
        rt.failsLeft--;
        // Kubelet alternates ErrImagePull and ImagePullBackOff with a growing back-off.
        const reason = rt.pullReason === 'ErrImagePull' ? 'ImagePullBackOff' : 'ErrImagePull';
        rt.pullReason = reason;
        rt.stage = 'pull-failing';
        rt.readyAt = this.now + (reason === 'ErrImagePull' ? 10_000 : this.prng.between(20_000, 60_000));
        const message = reason === 'ErrImagePull'
          ? `failed to pull and unpack image "${image}": failed to resolve reference "${image}": unexpected status from HEAD request: 503 Service Unavailable`
          : `Back-off pulling image "${image}"`;
        const updated = this.store.put('pods', withWaiting(pod, reason, message));
        this.recordEvent(updated, 'Warning', reason === 'ErrImagePull' ? 'Failed' : 'BackOff', message, 'kubelet');
        if (rt.failsLeft === 0) rt.readyAt = this.now + 5000;
        continue;
      }
      rt.stage = 'running';
      node?.warmImages.add(image);
      this.store.put('pods', withRunning(pod, this.now, this.nextPodIP(), `${image.split(':')[0] ?? image}@sha256:${this.prng.hex(64)}`, `containerd://${this.prng.hex(64)}`));
    }
  }

  private lastEventSweep = 0;
  private expireEvents(): void {
    if (this.now - this.lastEventSweep < 60_000) return;
    this.lastEventSweep = this.now;
    const cutoff = rfc3339(this.now - 3600_000);
    for (const e of [...this.store.list('events')]) {
      if (e.metadata.creationTimestamp < cutoff) this.store.remove('events', e.metadata.namespace, e.metadata.name);
    }
  }
}
