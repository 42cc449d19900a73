/**
 * The simulated Spark workload: drivers with dynamic allocation requesting executor pods through
 * the same admission path as the API, the spark-operator's SparkApplication state machine, and
 * the cloud reclaiming spot nodes. Every executor start and end lands in the ground truth.
 */
import { keyOf, type StoreEvent } from './store.js';
import { isTerminal } from './quota.js';
import { ApiError } from './errors.js';
import { rfc3339 } from './time.js';
import { appShared, buildDriverPod, buildExecutorPod, buildSparkApplication, sanitiseAppName, type AppIdentity, type AppShared, type NodeSpecIn } from './objects.js';
import type { Cluster, SimExitReason } from './cluster.js';
import type { MemoryPlan } from './memory.js';
import type { Truth, AppTruth } from './truth.js';
import type { KObject, Pod } from './types.js';

export interface AppConfig {
  name: string;
  namespace: string;
  team?: string;
  /** Whether the app's pods carry the `team` label (some teams rely on the namespace label). */
  labelTeam: boolean;
  operator: boolean;
  heapMiB: number;
  overheadMiB: number;
  cores: number;
  minExecutors: number;
  maxExecutors: number;
  idleTimeoutS: number;
  /** The SparkApplication's `dynamicAllocation.shuffleTrackingEnabled`; unset leaves the operator's default (on). */
  shuffleTracking?: boolean;
  stages: number;
  tasksPerStage: number;
  taskSeconds: number;
  stageGapS: [number, number];
  /** Chance that an executor's memory need outgrows its limit during its life. */
  oomProbability: number;
  errorProbability: number;
  driverOomProbability: number;
  image: string;
  executorImage?: string;
  tolerateSpot: boolean;
  /** The driver tolerates spot too (a misconfiguration the spot-preemption scenario shows). */
  driverOnSpot?: boolean;
  retries: number;
  startAfterS: number;
  /** Resubmit (new app id) this long after finishing; undefined = run once. */
  repeatAfterS?: number;
  /**
   * spark.metrics.namespace: PrometheusServlet names then start with it instead of the app id (the
   * kubeflow operator sets `<namespace>.<name>` when its monitoring block is on).
   */
  metricsNamespace?: string;
}

/** What a running driver's UI knows, for its simulated metrics endpoints (see driver-ui.ts). */
export interface DriverView {
  namespace: string;
  appId: string;
  /** spark.app.name, verbatim (PrometheusResource's application_name). */
  appName: string;
  driverPod: string;
  /** `<resource name prefix>-driver-svc`, as DriverServiceFeatureStep names it. */
  serviceName: string;
  sparkVersion: string;
  metricsNamespace: string | undefined;
  /** Dynamic allocation's numberTargetExecutors. */
  target: number;
  cores: number;
  driverStartedAt: number;
  /** Registered (running) executors: numberAllExecutors. */
  executors: ReadonlyArray<{ id: number; startedAt: number; taskMs: number; activeTasks: number }>;
  killedByDriver: number;
  exitedUnexpectedly: number;
}

interface Executor {
  id: number;
  name: string;
  key: string;
  createdAt: number;
  state: 'pending' | 'running' | 'ended';
  startedAt?: number;
  /** Task milliseconds run (cores × busy time), for Spark's totalDuration. */
  taskMs: number;
  activeTasks: number;
  idleSince?: number;
  oomAt?: number;
  errorAt?: number;
  deleteAt?: number;
}

type SimAppPhase = 'waiting' | 'submitted' | 'driver-pending' | 'running' | 'finishing' | 'done' | 'failed';

interface AppRun {
  cfg: AppConfig;
  state: SimAppPhase;
  attempt: number;
  startAt: number;
  identity?: AppIdentity;
  shared?: AppShared;
  truth?: AppTruth;
  driverKey?: string;
  driverUid?: string;
  driverOomAt?: number;
  executors: Map<number, Executor>;
  nextExecId: number;
  stage: number;
  remaining: number;
  gapUntil: number;
  finishAt: number;
  restartAt?: number;
  driverRetireAt?: number;
  sparkAppName: string;
  /** The last allocation tick's target (numberTargetExecutors). */
  allocTarget: number;
  runningSince: number;
  killedByDriver: number;
  exitedUnexpectedly: number;
  lastStepAt: number;
}

export interface SpotPolicy {
  everyS: number;
  replaceAfterS: number;
  nodeTemplate: Omit<NodeSpecIn, 'name' | 'internalIP'>;
}

/**
 * spark.kubernetes.allocation.batch.size (5 in 3.x); the one-second step is batch.delay (1s). A
 * rejected create throws out of ExecutorPodsAllocator.requestNewExecutors, ending the batch, and
 * the next round comes a batch delay later: while a quota stays full Spark burns one id per
 * round, which is what the `break` after a refused create below reproduces.
 */
const ALLOCATION_BATCH = 5;
const EXECUTOR_PENDING_TIMEOUT_MS = 600_000;
const DRIVER_DELETE_DELAY_MS = 3000;

export class SparkWorkload {
  private readonly apps: AppRun[] = [];
  private readonly execByKey = new Map<string, { app: AppRun; exec: Executor }>();
  private readonly driverByKey = new Map<string, AppRun>();
  private spot: SpotPolicy | undefined;
  private nextPreemptAt = Infinity;
  private readonly replacements: Array<{ at: number; spec: NodeSpecIn }> = [];
  private nodeSeq = 0;
  /** Steps (simulated seconds) the workload has run, unpaused. */
  private runS = 0;
  private readonly timed: Array<{ dueS: number; fn: () => void }> = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly truth: Truth,
    /** Every application's Spark version (its pods' spark-version label and metrics format). */
    private readonly sparkVersion = '3.5.1',
  ) {
    cluster.store.subscribe((ev) => this.observe(ev));
  }

  addApp(cfg: AppConfig): void {
    this.apps.push({ cfg, state: 'waiting', attempt: 0, startAt: this.cluster.now + cfg.startAfterS * 1000, executors: new Map(), nextExecId: 0, stage: 0, remaining: 0, gapUntil: 0, finishAt: 0, sparkAppName: cfg.name, allocTarget: 0, runningSince: 0, killedByDriver: 0, exitedUnexpectedly: 0, lastStepAt: 0 });
  }

  /**
   * Runs `fn` once the workload has run `seconds`, paused time excluded (applications only move
   * while it runs, so the change keeps its place in their story however long a test pauses them
   * first): a scenario's change from outside Spark, such as an administrator raising a quota.
   */
  after(seconds: number, fn: () => void): void {
    this.timed.push({ dueS: this.runS + seconds, fn });
    this.timed.sort((a, b) => a.dueS - b.dueS);
  }

  setSpotPolicy(p: SpotPolicy): void {
    this.spot = p;
    this.nextPreemptAt = this.cluster.now + p.everyS * 1000;
  }

  /** When the pod's Spark container started running and when the workload will OOMKill it (for cAdvisor). */
  memoryPlan(namespace: string, name: string): MemoryPlan | undefined {
    const key = keyOf(namespace, name);
    const e = this.execByKey.get(key);
    if (e) return e.exec.startedAt === undefined ? undefined : { startedAt: e.exec.startedAt, oomAt: e.exec.oomAt };
    const app = this.driverByKey.get(key);
    // runningSince is this attempt's only once the workload has seen the driver run.
    if (app && app.driverKey === key && (app.state === 'running' || app.state === 'finishing')) return { startedAt: app.runningSince, oomAt: app.driverOomAt };
    return undefined;
  }

  /** Running drivers as their UIs see them. */
  drivers(): DriverView[] {
    const out: DriverView[] = [];
    for (const app of this.apps) {
      const id = app.identity;
      if (app.state !== 'running' || !id) continue;
      const executors = [...app.executors.values()]
        .filter((e) => e.state === 'running')
        .sort((a, b) => a.id - b.id)
        .map((e) => ({ id: e.id, startedAt: e.startedAt ?? e.createdAt, taskMs: e.taskMs, activeTasks: e.activeTasks }));
      out.push({
        namespace: id.namespace, appId: id.appId, appName: app.cfg.name, driverPod: id.driverName, serviceName: `${id.prefix}-driver-svc`,
        sparkVersion: id.sparkVersion, metricsNamespace: app.cfg.metricsNamespace, target: app.allocTarget, cores: app.cfg.cores,
        driverStartedAt: app.runningSince, executors, killedByDriver: app.killedByDriver, exitedUnexpectedly: app.exitedUnexpectedly,
      });
    }
    return out;
  }

  /** Executor pod keys the model still considers alive (for tests). */
  liveExecutors(): string[] {
    return [...this.execByKey.entries()].filter(([, v]) => v.exec.state !== 'ended').map(([k]) => k);
  }

  // ---- observation of pod changes -----------------------------------------------------------

  private observe(ev: StoreEvent): void {
    if (ev.resource !== 'pods') return;
    const key = keyOf(ev.obj.metadata.namespace, ev.obj.metadata.name);
    const pod = ev.obj as Pod;
    const ex = this.execByKey.get(key);
    if (ex) {
      const { app, exec } = ex;
      const ending = ev.type === 'DELETED' || isTerminal(pod) || pod.metadata.deletionTimestamp !== undefined;
      if (exec.state !== 'ended' && ending) {
        const reason = this.cluster.exitIntent.get(key) ?? classify(pod, ev.type === 'DELETED');
        exec.state = 'ended';
        if (app.truth) {
          app.truth.exits[reason]++;
          if (reason === 'oom_killed') app.truth.oomKills.executor++;
          app.truth.lifetimesSeconds.push(Math.max(0, (this.cluster.now - exec.createdAt) / 1000));
        }
        // deleteOnTermination: the driver removes a finished executor pod shortly after.
        if (ev.type !== 'DELETED' && !pod.metadata.deletionTimestamp && app.state !== 'failed') exec.deleteAt = this.cluster.now + DRIVER_DELETE_DELAY_MS;
      }
      if (ev.type === 'DELETED') {
        this.execByKey.delete(key);
        this.cluster.exitIntent.delete(key);
        app.executors.delete(exec.id);
      }
      return;
    }
    const app = this.driverByKey.get(key);
    if (app && (app.state === 'running' || app.state === 'driver-pending' || app.state === 'submitted')) {
      const gone = ev.type === 'DELETED' || pod.metadata.deletionTimestamp !== undefined;
      if (gone || pod.status.phase === 'Failed') {
        const oom = pod.status.containerStatuses?.some((c) => c.state.terminated?.reason === 'OOMKilled') ?? false;
        if (oom && app.truth) app.truth.oomKills.driver++;
        this.failApp(app, oom ? 'driver container OOMKilled' : gone ? 'driver pod deleted' : 'driver pod failed');
      }
    }
    if (ev.type === 'DELETED') this.driverByKey.delete(key);
  }

  // ---- stepping ------------------------------------------------------------------------------

  step(t: number): void {
    this.runS++;
    while ((this.timed[0]?.dueS ?? Infinity) <= this.runS) this.timed.shift()?.fn();
    for (const app of this.apps) this.stepApp(app, t);
    this.stepSpot(t);
  }

  private stepSpot(t: number): void {
    for (let i = this.replacements.length - 1; i >= 0; i--) {
      const r = this.replacements[i];
      if (r && r.at <= t) {
        this.cluster.addNode(r.spec);
        this.replacements.splice(i, 1);
      }
    }
    if (!this.spot || t < this.nextPreemptAt) return;
    this.nextPreemptAt = t + this.spot.everyS * 1000;
    const spotNodes = [...this.cluster.nodes.values()].filter((n) => n.taints.some((x) => x.key === 'cloud.google.com/gke-spot') && n.podCount > 0).sort((a, b) => (a.name < b.name ? -1 : 1));
    if (spotNodes.length === 0) return;
    const victim = this.cluster.prng.pick(spotNodes);
    this.cluster.preemptNode(victim.name);
    this.truth.preemptedNodes++;
    const n = ++this.nodeSeq;
    this.replacements.push({ at: t + this.spot.replaceAfterS * 1000, spec: { ...this.spot.nodeTemplate, name: `gke-spark-spot-r${n}-${this.cluster.prng.hex(4)}`, internalIP: `10.130.${n >> 8}.${n & 0xff}` } });
  }

  private stepApp(app: AppRun, t: number): void {
    switch (app.state) {
      case 'waiting':
        if (t >= app.startAt) this.submit(app, t);
        return;
      case 'submitted':
        if (t >= app.startAt) this.launchDriver(app, t);
        return;
      case 'driver-pending': {
        const driver = this.pod(app.driverKey);
        if (driver?.status.phase === 'Running') {
          app.state = 'running';
          app.runningSince = t;
          app.lastStepAt = 0;
          app.allocTarget = 0;
          app.stage = 0;
          app.remaining = this.stageTasks(app);
          app.gapUntil = 0;
          if (this.cluster.prng.chance(app.cfg.driverOomProbability)) app.driverOomAt = t + this.cluster.prng.between(120_000, 900_000);
          this.setAppState(app, 'RUNNING');
        }
        return;
      }
      case 'running':
        this.stepRunning(app, t);
        return;
      case 'finishing':
        this.reapExecutors(app, t);
        if (t >= app.finishAt) {
          const [ns, name] = splitKey(app.driverKey);
          this.cluster.terminatePod(ns, name, { reason: 'Completed', exitCode: 0, phase: 'Succeeded' });
          app.state = 'done';
          this.setAppState(app, 'COMPLETED', { terminationTime: rfc3339(t) });
          app.driverRetireAt = t + 600_000;
          if (app.cfg.repeatAfterS !== undefined) app.restartAt = t + app.cfg.repeatAfterS * 1000;
        }
        return;
      case 'done':
      case 'failed':
        this.reapExecutors(app, t);
        if (app.driverRetireAt !== undefined && t >= app.driverRetireAt && app.driverKey) {
          const [ns, name] = splitKey(app.driverKey);
          if (this.cluster.store.get('pods', ns, name)) this.cluster.deletePod(ns, name, 0);
          app.driverRetireAt = undefined;
        }
        if (app.restartAt !== undefined && t >= app.restartAt) {
          app.restartAt = undefined;
          this.submit(app, t);
        }
        return;
    }
  }

  private stageTasks(app: AppRun): number {
    return Math.max(1, Math.round(app.cfg.tasksPerStage * this.cluster.prng.between(0.7, 1.3)));
  }

  private pod(key: string | undefined): Pod | undefined {
    if (!key) return undefined;
    const [ns, name] = splitKey(key);
    return this.cluster.store.get('pods', ns, name) as Pod | undefined;
  }

  private submit(app: AppRun, t: number): void {
    const cfg = app.cfg;
    const prng = this.cluster.prng;
    app.attempt++;
    const appName = sanitiseAppName(cfg.name);
    const prefix = `${appName.slice(0, 40)}-${prng.hex(16)}`;
    const identity: AppIdentity = {
      appId: `spark-${prng.hex(32)}`,
      appName,
      namespace: cfg.namespace,
      team: cfg.labelTeam ? cfg.team : undefined,
      prefix,
      driverName: cfg.operator ? `${cfg.name}-driver` : `${prefix}-driver`,
      operatorName: cfg.operator ? cfg.name : undefined,
      submissionId: cfg.operator ? prng.uuid() : undefined,
      sparkVersion: this.sparkVersion,
      image: cfg.image,
      ...(cfg.executorImage ? { executorImage: cfg.executorImage } : {}),
      serviceAccount: 'spark',
      heapMiB: cfg.heapMiB,
      overheadMiB: cfg.overheadMiB,
      cores: cfg.cores,
      driverHeapMiB: 2048,
      driverOverheadMiB: 512,
      driverCores: 1,
      tolerateSpot: cfg.tolerateSpot,
      ...(cfg.driverOnSpot ? { driverOnSpot: true } : {}),
    };
    app.identity = identity;
    app.shared = appShared(identity, t, prng);
    app.truth = this.truth.app(cfg.namespace, identity.appId, appName, cfg.team);
    app.executors = new Map();
    app.killedByDriver = 0;
    app.exitedUnexpectedly = 0;
    app.nextExecId = 0;
    app.driverOomAt = undefined;
    if (cfg.operator) {
      const existing = this.cluster.store.get('sparkapplications', cfg.namespace, cfg.name);
      if (!existing) {
        this.cluster.store.put('sparkapplications', buildSparkApplication(identity, t, this.cluster.uid(), { min: cfg.minExecutors, max: cfg.maxExecutors, idleTimeoutS: cfg.idleTimeoutS, shuffleTracking: cfg.shuffleTracking }, cfg.retries));
      } else {
        this.setAppState(app, 'PENDING_RERUN');
      }
      app.state = 'submitted';
      app.startAt = t + 2000; // the operator's submission takes a moment
    } else {
      this.launchDriver(app, t);
    }
  }

  private launchDriver(app: AppRun, t: number): void {
    const identity = app.identity;
    const shared = app.shared;
    if (!identity || !shared) return;
    const [ns] = [identity.namespace];
    // A rerun reuses the driver name: the operator removes the previous pod first.
    if (this.cluster.store.get('pods', ns, identity.driverName)) this.cluster.deletePod(ns, identity.driverName, 0);
    const uid = this.cluster.uid();
    try {
      this.cluster.createPod(buildDriverPod(identity, shared, { name: identity.driverName, uid, role: 'driver', execId: undefined, owner: undefined }, t));
    } catch (e) {
      const message = e instanceof ApiError ? e.message : String(e);
      if (app.cfg.operator) this.setAppState(app, 'SUBMISSION_FAILED', { errorMessage: message });
      app.state = 'failed';
      if (app.cfg.repeatAfterS !== undefined) app.restartAt = t + app.cfg.repeatAfterS * 1000;
      return;
    }
    app.driverKey = keyOf(ns, identity.driverName);
    app.driverUid = uid;
    this.driverByKey.set(app.driverKey, app);
    app.state = 'driver-pending';
    if (app.cfg.operator) {
      this.setAppState(app, 'SUBMITTED', {
        sparkApplicationId: identity.appId,
        submissionID: identity.submissionId,
        lastSubmissionAttemptTime: rfc3339(t),
        driverInfo: { podName: identity.driverName },
        submissionAttempts: app.attempt,
        executionAttempts: app.attempt,
      });
    }
  }

  private stepRunning(app: AppRun, t: number): void {
    const cfg = app.cfg;
    const prng = this.cluster.prng;
    if (app.driverOomAt !== undefined && t >= app.driverOomAt) {
      const [ns, name] = splitKey(app.driverKey);
      app.driverOomAt = undefined;
      this.cluster.terminatePod(ns, name, { reason: 'OOMKilled', exitCode: 137, phase: 'Failed' });
      return; // observe() fails the app
    }
    // Refresh executor states from their pods.
    for (const exec of app.executors.values()) {
      if (exec.state !== 'pending') continue;
      const pod = this.pod(exec.key);
      if (pod?.status.phase === 'Running') {
        exec.state = 'running';
        exec.startedAt = t;
        // Memory climbs for minutes before the kernel kills (sim/memory.ts): never within seconds of start.
        if (prng.chance(cfg.oomProbability)) exec.oomAt = t + prng.between(240_000, 600_000);
        else if (prng.chance(cfg.errorProbability)) exec.errorAt = t + prng.between(60_000, 1_200_000);
      } else if (t - exec.createdAt >= EXECUTOR_PENDING_TIMEOUT_MS && pod && !pod.metadata.deletionTimestamp) {
        // spark.kubernetes.allocation.executor.timeout: give up on a pod stuck pending.
        this.cluster.exitIntent.set(exec.key, 'deleted');
        this.cluster.deletePod(pod.metadata.namespace ?? '', pod.metadata.name);
      }
    }
    const running = [...app.executors.values()].filter((e) => e.state === 'running').sort((a, b) => a.id - b.id);
    // Work: each running executor runs `cores` tasks at a time.
    const inGap = t < app.gapUntil;
    if (!inGap && app.remaining <= 0 && app.gapUntil > 0) {
      app.remaining = this.stageTasks(app);
      app.gapUntil = 0;
    }
    if (!inGap && app.remaining > 0) {
      app.remaining -= (running.length * cfg.cores) / cfg.taskSeconds;
      if (app.remaining <= 0) {
        app.remaining = 0;
        app.stage++;
        if (app.stage >= cfg.stages) {
          this.finish(app, t);
          return;
        }
        app.gapUntil = t + prng.between(cfg.stageGapS[0], cfg.stageGapS[1]) * 1000;
      }
    }
    const busy = t < app.gapUntil ? 0 : Math.ceil(app.remaining / cfg.cores);
    const dt = app.lastStepAt > 0 ? t - app.lastStepAt : 0;
    app.lastStepAt = t;
    running.forEach((e, i) => {
      if (i < busy) e.idleSince = undefined;
      else e.idleSince ??= t;
      e.activeTasks = i < busy ? cfg.cores : 0;
      e.taskMs += e.activeTasks * dt;
    });
    let live = [...app.executors.values()].filter((e) => e.state !== 'ended').length;
    // Failures the executors run into.
    for (const e of running) {
      const [ns, name] = splitKey(e.key);
      if (e.oomAt !== undefined && t >= e.oomAt) {
        this.cluster.terminatePod(ns, name, { reason: 'OOMKilled', exitCode: 137, phase: 'Failed' }, 'oom_killed');
        app.exitedUnexpectedly++;
        live--;
      } else if (e.errorAt !== undefined && t >= e.errorAt) {
        this.cluster.terminatePod(ns, name, { reason: 'Error', exitCode: 1, phase: 'Failed' }, 'error');
        app.exitedUnexpectedly++;
        live--;
      } else if (e.idleSince !== undefined && t - e.idleSince >= cfg.idleTimeoutS * 1000 && live > cfg.minExecutors) {
        // Dynamic allocation's idle timeout: the driver deletes the pod.
        this.cluster.exitIntent.set(e.key, 'deleted');
        this.cluster.deletePod(ns, name);
        app.killedByDriver++;
        live--;
      }
    }
    this.reapExecutors(app, t);
    // Allocation tick: ask for what the backlog needs, at most a batch per tick.
    const target = Math.min(cfg.maxExecutors, Math.max(cfg.minExecutors, busy));
    app.allocTarget = target;
    const want = Math.min(ALLOCATION_BATCH, target - live);
    for (let i = 0; i < want; i++) {
      if (!this.requestExecutor(app, t)) break;
    }
  }

  /** Creates the next executor pod; false when admission refused it (the id is burned). */
  private requestExecutor(app: AppRun, t: number): boolean {
    const identity = app.identity;
    const shared = app.shared;
    if (!identity || !shared || !app.truth) return false;
    const id = ++app.nextExecId;
    const name = `${identity.prefix}-exec-${id}`;
    const uid = this.cluster.uid();
    const owner = { apiVersion: 'v1', kind: 'Pod', name: identity.driverName, uid: app.driverUid ?? '', controller: true };
    try {
      this.cluster.createPod(buildExecutorPod(identity, shared, { name, uid, role: 'executor', execId: id, owner }, t));
    } catch (e) {
      if (e instanceof ApiError && e.code === 403) {
        app.truth.skippedIds.push(id);
        this.truth.quotaRejections++;
        return false;
      }
      throw e;
    }
    const key = keyOf(identity.namespace, name);
    const exec: Executor = { id, name, key, createdAt: t, state: 'pending', taskMs: 0, activeTasks: 0 };
    app.executors.set(id, exec);
    this.execByKey.set(key, { app, exec });
    app.truth.executorStarts++;
    app.truth.lastCreatedId = id;
    return true;
  }

  private reapExecutors(app: AppRun, t: number): void {
    for (const e of app.executors.values()) {
      if (e.deleteAt === undefined || t < e.deleteAt) continue;
      e.deleteAt = undefined;
      const [ns, name] = splitKey(e.key);
      const pod = this.cluster.store.get('pods', ns, name);
      if (pod && !pod.metadata.deletionTimestamp) this.cluster.deletePod(ns, name);
    }
  }

  private finish(app: AppRun, t: number): void {
    for (const e of app.executors.values()) {
      const [ns, name] = splitKey(e.key);
      if (e.state === 'running') this.cluster.terminatePod(ns, name, { reason: 'Completed', exitCode: 0, phase: 'Succeeded' }, 'completed');
      else if (e.state === 'pending') {
        this.cluster.exitIntent.set(e.key, 'deleted');
        if (this.cluster.store.get('pods', ns, name)) this.cluster.deletePod(ns, name);
      }
    }
    app.state = 'finishing';
    app.finishAt = t + 5000;
    this.setAppState(app, 'SUCCEEDING');
  }

  private failApp(app: AppRun, why: string): void {
    const t = this.cluster.now;
    app.state = 'failed';
    for (const e of app.executors.values()) {
      if (e.state === 'ended') continue;
      const [ns, name] = splitKey(e.key);
      // Executors lose their driver and exit on their own.
      if (e.state === 'running') this.cluster.terminatePod(ns, name, { reason: 'Error', exitCode: 1, phase: 'Failed' }, 'error');
      else if (this.cluster.store.get('pods', ns, name)) {
        this.cluster.exitIntent.set(e.key, 'deleted');
        this.cluster.deletePod(ns, name);
      }
    }
    app.driverRetireAt = t + 60_000;
    if (app.cfg.operator) {
      this.setAppState(app, 'FAILING', { errorMessage: why });
      if (app.attempt <= app.cfg.retries) {
        app.restartAt = t + 10_000;
      } else {
        this.setAppState(app, 'FAILED', { errorMessage: why, terminationTime: rfc3339(t) });
        if (app.cfg.repeatAfterS !== undefined) app.restartAt = t + app.cfg.repeatAfterS * 1000;
      }
    } else if (app.cfg.repeatAfterS !== undefined) {
      app.restartAt = t + app.cfg.repeatAfterS * 1000;
    }
  }

  private setAppState(app: AppRun, state: string, extra: Record<string, unknown> = {}): void {
    if (!app.cfg.operator) return;
    const current = this.cluster.store.get('sparkapplications', app.cfg.namespace, app.cfg.name);
    if (!current) return;
    const status = (typeof current.status === 'object' && current.status !== null ? current.status : {}) as Record<string, unknown>;
    const next: Record<string, unknown> = { ...status, ...extra, applicationState: state === 'FAILING' || state === 'FAILED' || state === 'SUBMISSION_FAILED' ? { state, errorMessage: extra['errorMessage'] ?? '' } : { state } };
    if (app.executors.size > 0 || state === 'COMPLETED') {
      const executorState: Record<string, string> = {};
      for (const e of [...app.executors.values()].slice(0, 1000)) executorState[e.name] = e.state === 'running' ? 'RUNNING' : e.state === 'pending' ? 'PENDING' : 'COMPLETED';
      next['executorState'] = executorState;
    }
    const obj: KObject = { ...current, status: next };
    this.cluster.store.put('sparkapplications', obj);
  }
}

function splitKey(key: string | undefined): [string, string] {
  const i = (key ?? '').indexOf('/');
  return i < 0 ? ['', key ?? ''] : [(key ?? '').slice(0, i), (key ?? '').slice(i + 1)];
}

/** How an ended executor looks, for ends the model did not cause (an API delete, say). */
export function classify(pod: Pod, deleted: boolean): SimExitReason {
  const term = pod.status.containerStatuses?.find((c) => c.name.startsWith('spark-kubernetes'))?.state.terminated;
  if (pod.status.conditions?.some((c) => c.type === 'DisruptionTarget' && c.status === 'True')) return 'preempted';
  if (pod.status.reason === 'Evicted') return 'evicted';
  if (term?.reason === 'OOMKilled') return 'oom_killed';
  if (pod.metadata.deletionTimestamp || deleted) return 'deleted';
  if (term?.reason === 'Completed' && term.exitCode === 0) return 'completed';
  return 'error';
}
