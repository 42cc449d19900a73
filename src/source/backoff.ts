/**
 * Retry delays for a failing list or watch: exponential from an initial delay up to a cap, each
 * jittered by ±`jitter` so that many exporters restarted together do not retry in step.
 */

export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  /** Fraction of the delay it may move either way; client-go uses about this much. */
  readonly jitter?: number;
}

const DEFAULT_JITTER = 0.2;

/** `base` moved by up to ±jitter·base, with `r` in [0, 1) from the injected random source. */
export function jittered(base: number, jitter: number, r: number): number {
  return base * (1 - jitter + 2 * jitter * r);
}

export class Backoff {
  private base: number;
  /** Failures since the last success. */
  failures = 0;

  constructor(
    private readonly opts: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {
    this.base = opts.initialMs;
  }

  /** The next delay to wait; each call doubles the one after it, up to the cap. */
  next(): number {
    this.failures++;
    const delay = jittered(this.base, this.opts.jitter ?? DEFAULT_JITTER, this.random());
    this.base = Math.min(this.base * 2, this.opts.maxMs);
    return delay;
  }

  /** The un-jittered delay the next call to next() starts from. */
  get currentMs(): number {
    return this.base;
  }

  reset(): void {
    this.base = this.opts.initialMs;
    this.failures = 0;
  }
}
