/**
 * Public entry point of the cluster simulator: `startSimulator` builds a scenario, serves it over
 * HTTP(S) like a Kubernetes API server and advances simulated time from a real-time timer.
 */
import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { World, STEP_MS } from './world.js';
import { ApiServer } from './server.js';
import { DriverUi } from './driver-ui.js';
import { isScenario, SCENARIOS } from './scenarios.js';
import { makeClientCert, makeSelfSignedCert, type TlsMaterial } from './tls.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { buildExecutorPod } from './objects.js';
import { ALL_SPARK_CRDS, type SparkCrd } from './resources.js';
import type { Truth } from './truth.js';
import type { KObject, Pod } from './types.js';

export { Truth, median } from './truth.js';
export type { AppTruth, TruthTotals } from './truth.js';
export { World } from './world.js';
export { SCENARIOS } from './scenarios.js';
export type { Pod, KObject } from './types.js';
export { buildExecutorPod };

export interface SimulatorOptions {
  scenario: string;
  port?: number;
  host?: string;
  tls?: boolean;
  speed?: number;
  seed?: number;
  kubeconfigOut?: string;
  sparkApplicationCrd?: boolean;
  /** Which operator CRDs are installed (store names); default all three, none with sparkApplicationCrd false. */
  crds?: readonly SparkCrd[];
  scale?: { pods: number; apps: number };
  /** Unsent bytes a watch may hold before it waits for its reader (default 8 MiB, as server.ts says). */
  watchBufferBytes?: number;
  /** Real seconds between watch BOOKMARK events (default 10). */
  bookmarkIntervalSeconds?: number;
  /** Simulated start time (ms since epoch); default: now. */
  startTime?: number;
  /** Spark version of every application (default 3.5.1); 4.x changes /metrics/executors/prometheus. */
  sparkVersion?: string;
  /** Also serve the running drivers' UIs (Spark's metrics endpoints) and their discovery, see driver-ui.ts. */
  driverUi?: boolean;
}

export interface FaultSwitches {
  dropWatches(): void;
  compact(): void;
  failNext(n: number, code: 500 | 429): void;
  stallWatches(on: boolean): void;
  down(ms: number): Promise<void>;
  /** Requests served by kind: list, watch, get, create, delete, patch, discovery, `list pods`, … */
  counts(): Record<string, number>;
  /** Recent requests (at least the last 10,000) as `path?query`, oldest first. */
  requests(): string[];
  /** Installs (true) or removes the operator CRDs while running: all three, or those named. */
  sparkApplicationCrd(on: boolean, which?: readonly SparkCrd[]): void;
  openWatches(): number;
  /** The most bytes any open watch holds unsent: bounded, because a watch waits for its reader. */
  watchBacklogBytes(): number;
}

export interface SimCluster {
  world: World;
  createPod(pod: Pod): Pod;
  deletePod(namespace: string, name: string, graceSeconds?: number): Pod;
  list(resource: string, namespace?: string): KObject[];
  get(resource: string, namespace: string | undefined, name: string): KObject | undefined;
  /** Advances simulated time synchronously (the real-time timer keeps running too). */
  advance(simMs: number): void;
}

export interface RunningSimulator {
  url: string;
  /** With `driverUi`: the drivers' UI server; `${driverUiUrl}/sd` is its Prometheus HTTP SD. */
  driverUiUrl: string | undefined;
  kubeconfigPath: string | undefined;
  token: string | undefined;
  /** With TLS: a client certificate (PEM) the simulator accepts in place of the token. */
  clientCert: TlsMaterial | undefined;
  clock: { now(): number };
  truth: Truth;
  faults: FaultSwitches;
  cluster: SimCluster;
  driveEvents(opts: { perSecond: number; seconds: number }): Promise<{ sent: number; lastResourceVersion: string }>;
  resourceVersion(): string;
  /** Serialises every object of a resource ahead of time: lists then send bytes already made. */
  serialiseAhead(resource: string): number;
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

const TICK_MS = 20;
/** Most steps one timer tick may run, so a high speed never starves the server. */
const MAX_STEPS_PER_TICK = 200;

export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  if (!isScenario(opts.scenario)) throw new Error(`unknown scenario "${opts.scenario}"; expected one of ${SCENARIOS.join(', ')}`);
  const speed = opts.speed ?? 1;
  if (!(speed > 0) || !Number.isFinite(speed)) throw new Error(`speed must be a positive number, got ${String(opts.speed)}`);
  const host = opts.host ?? '127.0.0.1';
  const world = new World({ scenario: opts.scenario, seed: opts.seed ?? 1, startMs: opts.startTime ?? Date.now(), scale: opts.scale, sparkVersion: opts.sparkVersion });
  const tlsMaterial = opts.tls ? makeSelfSignedCert(host) : undefined;
  const token = opts.tls ? randomBytes(24).toString('hex') : undefined;
  const clientCert = tlsMaterial ? makeClientCert(tlsMaterial, 'spark-sim-admin') : undefined;
  const server = new ApiServer(world, { host, port: opts.port ?? 0, tls: tlsMaterial, token, clientCa: tlsMaterial?.cert, crds: new Set<string>(opts.crds ?? (opts.sparkApplicationCrd === false ? [] : ALL_SPARK_CRDS)), bookmarkIntervalMs: (opts.bookmarkIntervalSeconds ?? 10) * 1000, ...(opts.watchBufferBytes ? { watchBufferBytes: opts.watchBufferBytes } : {}) });
  await server.listen();
  const url = server.url();
  const driverUi = opts.driverUi ? new DriverUi(world, host) : undefined;
  await driverUi?.listen();
  if (opts.kubeconfigOut) writeFileSync(opts.kubeconfigOut, kubeconfigYaml({ server: url, caPem: tlsMaterial?.cert, token }), { mode: 0o600 });

  // Simulated time follows real time × speed; the workload catches up in whole steps.
  const realStart = Date.now();
  const simStart = world.now();
  let simOffset = 0; // extra simulated time from manual advance()
  const timer = setInterval(() => {
    const target = simStart + (Date.now() - realStart) * speed + simOffset;
    let steps = 0;
    while (world.now() + STEP_MS <= target && steps < MAX_STEPS_PER_TICK) {
      world.stepOnce();
      steps++;
    }
  }, TICK_MS);
  timer.unref();

  let scaleDriving: Promise<unknown> = Promise.resolve();
  const driveEvents = (d: { perSecond: number; seconds: number }): Promise<{ sent: number; lastResourceVersion: string }> => {
    const scale = world.scale;
    if (!scale) return Promise.reject(new Error('driveEvents needs the scale scenario'));
    const run = async (): Promise<{ sent: number; lastResourceVersion: string }> => {
      const started = Date.now();
      const total = Math.round(d.perSecond * d.seconds);
      let sent = 0;
      while (sent < total) {
        const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * d.perSecond));
        while (sent < due) {
          const n = scale.churnOnce();
          if (n === 0) break;
          sent += n;
        }
        world.cluster.flushQuotas();
        if (sent < total) await new Promise((r) => setTimeout(r, 10));
      }
      return { sent, lastResourceVersion: String(world.cluster.store.currentRv()) };
    };
    const p = scaleDriving.then(run);
    scaleDriving = p.catch(() => undefined);
    return p;
  };

  return {
    url,
    driverUiUrl: driverUi?.url(),
    kubeconfigPath: opts.kubeconfigOut,
    token,
    clientCert,
    clock: { now: () => world.now() },
    truth: world.truth,
    faults: {
      dropWatches: () => server.dropWatches(),
      compact: () => world.cluster.store.compact(),
      failNext: (n, code) => server.failNext(n, code),
      stallWatches: (on) => server.stallWatches(on),
      down: (ms) => server.down(ms),
      counts: () => ({ ...server.counts }),
      requests: () => [...server.requests],
      sparkApplicationCrd: (on, which) => server.setCrd(on, which),
      openWatches: () => server.openWatches(),
      watchBacklogBytes: () => server.watchBacklogBytes(),
    },
    cluster: {
      world,
      createPod: (pod) => world.cluster.createPod(pod),
      deletePod: (ns, name, grace) => world.cluster.deletePod(ns, name, grace),
      list: (resource, ns) => [...world.cluster.store.list(resource, ns)],
      get: (resource, ns, name) => world.cluster.store.get(resource, ns, name),
      advance: (ms) => {
        simOffset += ms;
        world.advance(ms);
      },
    },
    driveEvents,
    resourceVersion: () => String(world.cluster.store.currentRv()),
    serialiseAhead: (resource) => server.serialiseAhead(resource),
    pause: () => {
      world.paused = true;
    },
    resume: () => {
      world.paused = false;
    },
    close: async () => {
      clearInterval(timer);
      await driverUi?.close();
      await server.close();
    },
  };
}
