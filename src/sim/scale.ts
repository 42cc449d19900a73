/**
 * Scale mode: tens of thousands of realistic running Spark pods built directly (no scheduler
 * loop), and a driver of pod events at a fixed rate for throughput benchmarks.
 */
import { keyOf } from './store.js';
import { appShared, buildDriverPod, buildExecutorPod, sanitiseAppName, withRunning, withScheduled, withTerminated, type AppIdentity, type AppShared } from './objects.js';
import type { Cluster } from './cluster.js';
import type { AppTruth, Truth } from './truth.js';
import { buildNamespace } from './objects.js';
import type { Pod, PodCondition } from './types.js';
import { rfc3339 } from './time.js';

interface ScaleApp {
  identity: AppIdentity;
  shared: AppShared;
  truth: AppTruth;
  driverUid: string;
  nextExecId: number;
  imageID: string;
}

const PODS_PER_NODE = 50;

export class ScaleCluster {
  private readonly apps: ScaleApp[] = [];
  /** Live executor keys with their app index, for picking victims in O(1). */
  private readonly live: Array<{ key: string; app: number }> = [];
  private nodeNames: string[] = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly truth: Truth,
  ) {}

  build(size: { pods: number; apps: number }): void {
    const c = this.cluster;
    const apps = Math.max(1, Math.min(size.apps, size.pods));
    const nodeCount = Math.max(1, Math.ceil(size.pods / PODS_PER_NODE));
    c.store.recordHistory = false;
    for (let i = 0; i < nodeCount; i++) {
      const node = c.addNode({ name: `gke-spark-pool-${(i >> 8).toString(16)}-${c.prng.hex(8)}-${(i & 0xff).toString(36)}`, pool: 'on-demand', cpu: 200, memoryMiB: 1_600_000, zone: ['us-central1-a', 'us-central1-b', 'us-central1-c'][i % 3] ?? 'us-central1-a', instanceType: 'n2-highmem-224', internalIP: `10.${128 + (i >> 16)}.${(i >> 8) & 0xff}.${i & 0xff}` });
      this.nodeNames.push(node.metadata.name);
    }
    const teams = 20;
    for (let t = 0; t < teams; t++) c.store.put('namespaces', buildNamespace(`team-${t}`, `team-${t}`, c.now, c.uid()));
    let podIndex = 0;
    const perApp = Math.floor(size.pods / apps);
    for (let a = 0; a < apps; a++) {
      const ns = `team-${a % teams}`;
      const name = sanitiseAppName(`etl-job-${a}`);
      const identity: AppIdentity = {
        appId: `spark-${c.prng.hex(32)}`, appName: name, namespace: ns, team: a % 3 === 0 ? undefined : `team-${a % teams}`,
        prefix: `${name}-${c.prng.hex(16)}`, driverName: '', operatorName: a % 2 === 0 ? name : undefined, submissionId: a % 2 === 0 ? c.prng.uuid() : undefined,
        sparkVersion: '3.5.1', image: 'apache/spark:3.5.1-scala2.12-java17-ubuntu', serviceAccount: 'spark', heapMiB: 4096, overheadMiB: 1024, cores: 2,
        driverHeapMiB: 2048, driverOverheadMiB: 512, driverCores: 1, tolerateSpot: false,
      };
      identity.driverName = `${identity.prefix}-driver`;
      const shared = appShared(identity, c.now, c.prng);
      const app: ScaleApp = { identity, shared, truth: this.truth.app(ns, identity.appId, name, identity.team), driverUid: c.uid(), nextExecId: 0, imageID: shared.imageID };
      this.apps.push(app);
      const count = a === apps - 1 ? size.pods - podIndex : perApp;
      for (let i = 0; i < count; i++) {
        if (i === 0) {
          const driver = buildDriverPod(identity, shared, { name: identity.driverName, uid: app.driverUid, role: 'driver', execId: undefined, owner: undefined }, c.now);
          c.store.put('pods', this.runningOn(driver, podIndex++));
        } else {
          this.addExecutor(a, podIndex++);
        }
      }
    }
    c.store.recordHistory = true;
  }

  private runningOn(pod: Pod, index: number): Pod {
    const c = this.cluster;
    const node = this.nodeNames[index % this.nodeNames.length] ?? '';
    const ip = c.nodes.get(node)?.ip ?? '10.128.0.1';
    const scheduled = withScheduled(pod, c.now, node, ip);
    return withRunning(scheduled, c.now, c.nextPodIP(), 'docker.io/apache/spark@sha256:' + '0'.repeat(64), `containerd://${c.prng.hex(64)}`);
  }

  private addExecutor(appIndex: number, podIndex: number): void {
    const app = this.apps[appIndex];
    if (!app) return;
    const c = this.cluster;
    const id = ++app.nextExecId;
    const name = `${app.identity.prefix}-exec-${id}`;
    const owner = { apiVersion: 'v1', kind: 'Pod', name: app.identity.driverName, uid: app.driverUid, controller: true };
    const pod = buildExecutorPod(app.identity, app.shared, { name, uid: c.uid(), role: 'executor', execId: id, owner }, c.now);
    c.store.put('pods', this.runningOn(pod, podIndex));
    app.truth.executorStarts++;
    this.live.push({ key: keyOf(app.identity.namespace, name), app: appIndex });
  }

  podCount(): number {
    return this.cluster.store.count('pods');
  }

  /**
   * One unit of churn: either an executor replaced (terminated → DELETED → new one ADDED, 3
   * events) or a readiness flap on a running executor (1 event). Returns events produced.
   */
  churnOnce(): number {
    const c = this.cluster;
    if (this.live.length === 0) return 0;
    const i = Math.floor(c.prng.next() * this.live.length);
    const victim = this.live[i];
    if (!victim) return 0;
    const [ns, name] = victim.key.split('/') as [string, string];
    const pod = c.store.get('pods', ns, name) as Pod | undefined;
    if (!pod) {
      this.live[i] = this.live[this.live.length - 1] ?? victim;
      this.live.pop();
      return 0;
    }
    if (c.prng.chance(0.5)) {
      const flip = (cnd: PodCondition): PodCondition => (cnd.type === 'Ready' || cnd.type === 'ContainersReady' ? { ...cnd, status: cnd.status === 'True' ? 'False' : 'True', lastTransitionTime: rfc3339(c.now) } : cnd);
      c.store.put('pods', { ...pod, status: { ...pod.status, conditions: (pod.status.conditions ?? []).map(flip) } });
      return 1;
    }
    const app = this.apps[victim.app];
    if (!app) return 0;
    const roll = c.prng.next();
    const reason = roll < 0.1 ? 'oom_killed' : roll < 0.15 ? 'error' : 'completed';
    const term = reason === 'oom_killed' ? { reason: 'OOMKilled', exitCode: 137, phase: 'Failed' as const } : reason === 'error' ? { reason: 'Error', exitCode: 1, phase: 'Failed' as const } : { reason: 'Completed', exitCode: 0, phase: 'Succeeded' as const };
    c.store.put('pods', withTerminated(pod, c.now, term));
    c.store.remove('pods', ns, name);
    app.truth.exits[reason]++;
    if (reason === 'oom_killed') app.truth.oomKills.executor++;
    this.live[i] = this.live[this.live.length - 1] ?? victim;
    this.live.pop();
    this.addExecutor(victim.app, Math.floor(c.prng.next() * this.nodeNames.length));
    return 3;
  }
}
