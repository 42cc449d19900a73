/**
 * Executor ids Spark burned without a pod: its allocator takes a new id for every create it
 * tries, and a create the API server rejects (a full ResourceQuota) leaves a hole in the ids that
 * later pods carry. Holes are kept as ranges, so a quota full for an hour (thousands of ids) costs
 * one entry, not thousands; an id confirmed missing once a grace period has passed counts once.
 */

export interface IdRange {
  from: number;
  to: number;
  /** When the later id that opened the hole was seen: the grace runs from here. */
  readonly sinceMs: number;
}

/**
 * Spark's allocator asks for at most `spark.kubernetes.allocation.batch.size` executors (default
 * 5 in 2.3 to 3.5, 10 in 4.x) every `batch.delay` (1 s). Ids far beyond that rate since the previous id
 * was seen are not burned ids but a bad label. The bound is deliberately loose (ten times the
 * default rate, plus a burst) so that raised batch sizes and clock jitter never trip it.
 */
export const MAX_PLAUSIBLE_IDS_PER_SECOND = 100;
export const PLAUSIBLE_ID_BURST = 1000;

export type IdVerdict = 'new_max' | 'filled' | 'old' | 'implausible';

export class ExecutorIds {
  /** Highest id seen; holes below it are still waiting in `gaps` or were counted. */
  maxId = 0;
  private maxIdMs: number | undefined;
  readonly gaps: IdRange[] = [];
  skipped = 0;

  /**
   * Records an executor id. `countGaps` is false for ids that existed before this process's first
   * list: their holes were counted by a predecessor, if by anyone.
   */
  observe(id: number, countGaps: boolean, nowMs: number): IdVerdict {
    if (id <= this.maxId) return this.fill(id) ? 'filled' : 'old';
    const missing = id - this.maxId - 1;
    if (countGaps && missing > 0) {
      const elapsedS = this.maxIdMs === undefined ? 0 : Math.max(0, nowMs - this.maxIdMs) / 1000;
      if (missing > PLAUSIBLE_ID_BURST + elapsedS * MAX_PLAUSIBLE_IDS_PER_SECOND) return 'implausible';
      this.gaps.push({ from: this.maxId + 1, to: id - 1, sinceMs: nowMs });
    }
    this.maxId = id;
    this.maxIdMs = nowMs;
    return 'new_max';
  }

  /** Ids missing longer than the grace count as skipped, once each. */
  expire(nowMs: number, graceMs: number): void {
    let kept = 0;
    for (const g of this.gaps) {
      if (nowMs - g.sinceMs >= graceMs) this.skipped += g.to - g.from + 1;
      else this.gaps[kept++] = g;
    }
    this.gaps.length = kept;
  }

  /** Ids still inside their grace period. */
  pending(): number {
    let n = 0;
    for (const g of this.gaps) n += g.to - g.from + 1;
    return n;
  }

  /** A late id that shows up inside a hole was not burned after all: split the hole around it. */
  private fill(id: number): boolean {
    for (let i = 0; i < this.gaps.length; i++) {
      const g = this.gaps[i];
      if (!g || id < g.from || id > g.to) continue;
      if (g.from === g.to) this.gaps.splice(i, 1);
      else if (id === g.from) g.from++;
      else if (id === g.to) g.to--;
      else {
        this.gaps.splice(i + 1, 0, { from: id + 1, to: g.to, sinceMs: g.sinceMs });
        g.to = id - 1;
      }
      return true;
    }
    return false;
  }
}
