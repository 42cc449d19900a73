/** Ground truth: what the simulation actually did, for tests to compare the exporter against. */
import type { SimExitReason } from './cluster.js';

export interface AppTruth {
  namespace: string;
  appId: string;
  appName: string;
  team: string | undefined;
  executorStarts: number;
  exits: Record<SimExitReason, number>;
  oomKills: { driver: number; executor: number };
  skippedIds: number[];
  /** Highest executor id created as a pod: a burned id below it is confirmed by a later pod. */
  lastCreatedId: number;
  /** Simulated seconds each ended executor lived (creation to end). */
  lifetimesSeconds: number[];
}

export interface TruthTotals {
  executorStarts: number;
  exits: Record<SimExitReason, number>;
  oomKills: { driver: number; executor: number };
  skippedIds: number;
  /**
   * Burned ids a later executor pod of the same application confirms: all an observer of the
   * API can ever count (ids burned after an application's last executor leave no trace).
   */
  confirmedSkippedIds: number;
  quotaRejections: number;
  preemptedNodes: number;
}

const zeroExits = (): Record<SimExitReason, number> => ({ completed: 0, oom_killed: 0, error: 0, evicted: 0, preempted: 0, deleted: 0 });

/**
 * The SparkApplication lifecycle as scripted (src/sim/lifecycle.ts): final failures keyed
 * `namespace/name/state/reason/operator`, retries keyed `namespace/name/operator`, each
 * recorded when the status showing it is written.
 */
export class LifecycleTruth {
  readonly failures = new Map<string, number>();
  readonly retries = new Map<string, number>();

  failure(namespace: string, name: string, state: string, reason: string, operator: 'kubeflow' | 'apache'): void {
    const k = `${namespace}/${name}/${state}/${reason}/${operator}`;
    this.failures.set(k, (this.failures.get(k) ?? 0) + 1);
  }

  retry(namespace: string, name: string, operator: 'kubeflow' | 'apache'): void {
    const k = `${namespace}/${name}/${operator}`;
    this.retries.set(k, (this.retries.get(k) ?? 0) + 1);
  }
}

export class Truth {
  readonly apps = new Map<string, AppTruth>();
  readonly lifecycle = new LifecycleTruth();
  preemptedNodes = 0;
  quotaRejections = 0;

  app(namespace: string, appId: string, appName: string, team: string | undefined): AppTruth {
    const key = `${namespace}/${appId}`;
    let a = this.apps.get(key);
    if (!a) {
      a = { namespace, appId, appName, team, executorStarts: 0, exits: zeroExits(), oomKills: { driver: 0, executor: 0 }, skippedIds: [], lastCreatedId: 0, lifetimesSeconds: [] };
      this.apps.set(key, a);
    }
    return a;
  }

  get(key: string): AppTruth | undefined {
    return this.apps.get(key);
  }

  totals(): TruthTotals {
    const t: TruthTotals = { executorStarts: 0, exits: zeroExits(), oomKills: { driver: 0, executor: 0 }, skippedIds: 0, confirmedSkippedIds: 0, quotaRejections: this.quotaRejections, preemptedNodes: this.preemptedNodes };
    for (const a of this.apps.values()) {
      t.executorStarts += a.executorStarts;
      for (const k of Object.keys(a.exits) as SimExitReason[]) t.exits[k] += a.exits[k];
      t.oomKills.driver += a.oomKills.driver;
      t.oomKills.executor += a.oomKills.executor;
      t.skippedIds += a.skippedIds.length;
      for (const id of a.skippedIds) if (id < a.lastCreatedId) t.confirmedSkippedIds++;
    }
    return t;
  }

  /** All executor lifetimes, for churn checks. */
  lifetimes(): number[] {
    return [...this.apps.values()].flatMap((a) => a.lifetimesSeconds);
  }
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}
