/**
 * A whole simulated cluster on simulated time: control plane, Spark workload and truth, advanced
 * in one-second steps. `advance` is synchronous and deterministic for a given seed, which is what
 * tests use; the server drives it from a real-time timer.
 */
import { Cluster } from './cluster.js';
import { Lifecycle } from './lifecycle.js';
import { SparkWorkload } from './spark.js';
import { Truth } from './truth.js';
import { buildScenario, type ScenarioName } from './scenarios.js';
import { ScaleCluster } from './scale.js';

export const STEP_MS = 1000;

export interface WorldOptions {
  scenario: ScenarioName;
  seed: number;
  startMs: number;
  scale?: { pods: number; apps: number };
  /** Spark version of every application (default 3.5.1): 4.x changes the executor metrics format. */
  sparkVersion?: string;
}

export class World {
  readonly cluster: Cluster;
  readonly spark: SparkWorkload;
  readonly truth = new Truth();
  readonly scale: ScaleCluster | undefined;
  readonly lifecycle: Lifecycle;
  paused = false;

  constructor(opts: WorldOptions) {
    this.cluster = new Cluster({ seed: opts.seed, startMs: Math.floor(opts.startMs / 1000) * 1000, events: opts.scenario !== 'scale' });
    this.spark = new SparkWorkload(this.cluster, this.truth, opts.sparkVersion);
    this.lifecycle = new Lifecycle(this.cluster, this.truth.lifecycle);
    buildScenario(opts.scenario, this.cluster, this.spark, this.lifecycle);
    if (opts.scenario === 'scale') {
      this.scale = new ScaleCluster(this.cluster, this.truth);
      this.scale.build(opts.scale ?? { pods: 150_000, apps: 3000 });
    }
    this.cluster.flushQuotas();
  }

  now(): number {
    return this.cluster.now;
  }

  /** Runs whole steps until simulated time reaches `now() + ms`. */
  advance(ms: number): void {
    const until = this.cluster.now + ms;
    while (this.cluster.now + STEP_MS <= until) this.stepOnce();
  }

  stepOnce(): void {
    const t = this.cluster.now + STEP_MS;
    this.cluster.step(t);
    if (!this.paused) {
      this.spark.step(t);
      this.lifecycle.step(t);
    }
    this.cluster.flushQuotas();
  }
}
