/** One Spark application as the model holds it (identity, live pods, counters), and its pods' records. */
import { EXIT_REASONS, type ExitReason, type PendingReason, type Role } from '../catalogue/metrics.js';
import { ExecutorIds } from './executor-ids.js';

/** A compact record per pod; the API object itself is dropped after parsing. */
export interface PodRecord {
  readonly uid: string;
  readonly app: AppRecord;
  readonly role: Role;
  readonly execId: number | undefined;
  /** Spark's own container (the one resources and OOMKills are read from), interned. */
  readonly container: string | undefined;
  name: string;
  phase: string;
  pendingReason: string | undefined;
  createdMs: number | undefined;
  /** Wall time this process first saw the pod: a lower bound on its age that clock skew cannot break. */
  readonly firstSeenMs: number;
  deleting: boolean;
  deletionRequestedMs: number | undefined;
  exitCounted: boolean;
  startupObserved: boolean;
  /** `container#restart` keys of OOMKills already counted (or already seen before this process started). */
  oomKeys: string[] | undefined;
}

export class AppRecord {
  readonly pods = new Set<PodRecord>();
  /** The team label of its pods; the namespace's is the fallback, resolved when rendered. */
  podTeam: string | undefined;
  starts = 0;
  readonly exits: number[] = EXIT_REASONS.map(() => 0);
  readonly driverExits: number[] = EXIT_REASONS.map(() => 0);
  /** Whether a driver pod was ever seen: only then does the app have driver exit series. */
  hasDriver = false;
  /** How its latest driver pod ended, and why it last waited while Pending (cleared once it runs). */
  driverExit: ExitReason | undefined;
  driverPending: PendingReason | undefined;
  /** Spot eligibility of the live driver; undefined while no driver runs. */
  driverSpotEligible: boolean | undefined;
  /** `role\u0000container` → OOMKills. */
  readonly ooms = new Map<string, number>();
  /** Its executors' ids, and the ones Spark burned on creates that never became pods. */
  readonly ids = new ExecutorIds();
  heapBytes: number | undefined;
  memoryRequestBytes: number | undefined;
  memoryLimitBytes: number | undefined;
  cpuRequest: number | undefined;
  cpuLimit: number | undefined;
  emptySinceMs: number | undefined;
  /**
   * Bumped by every change to the record or its pods (the pods model's verbs and tick): the
   * metrics layer reuses an application's rendered lines while it is unchanged. Code that changes
   * what an application renders outside those verbs must bump it too.
   */
  version = 0;

  constructor(
    readonly key: string,
    readonly namespace: string,
    readonly appId: string,
    public appName: string,
  ) {}

  countExit(reason: ExitReason, role: Role = 'executor'): void {
    const counts = role === 'driver' ? this.driverExits : this.exits;
    const i = EXIT_REASONS.indexOf(reason);
    counts[i] = (counts[i] ?? 0) + 1;
  }

  countOom(role: Role, container: string): void {
    const k = `${role}\u0000${container}`;
    this.ooms.set(k, (this.ooms.get(k) ?? 0) + 1);
  }
}
