/**
 * A manually advanced Clock: timers fire only inside advance(), in due order, each seeing now()
 * at its due time. Tests then flush the promise continuations those timers released.
 */
import type { Clock, Timer } from '../../src/source/clock.js';

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private readonly timers = new Map<number, Pending>();

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), seq: id, fn });
    return { cancel: () => void this.timers.delete(id) };
  }

  /** Timers not yet fired nor cancelled. */
  get pending(): number {
    return this.timers.size;
  }

  /** When the earliest pending timer is due, if any. */
  nextAt(): number | undefined {
    let best: number | undefined;
    for (const p of this.timers.values()) if (best === undefined || p.at < best) best = p.at;
    return best;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, earliest first. */
  advance(ms: number): void {
    const target = this.t + ms;
    for (;;) {
      let next: [number, Pending] | undefined;
      for (const e of this.timers) if (e[1].at <= target && (!next || e[1].at < next[1].at || (e[1].at === next[1].at && e[1].seq < next[1].seq))) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = target;
  }
}

/** Lets every promise continuation (and the fake transport's deferred deliveries) run. */
export async function flush(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}
